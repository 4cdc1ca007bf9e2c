"""Sending the messages due, once each: claim, send, write the outcome at once, then record its event."""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from types import SimpleNamespace
from typing import Any
from uuid import UUID, uuid4

from domain import Actor, DomainError, RuleBroken
from domain.keeping_posted import NEEDS, KeepingPosted, Way
from projections import messages_due, my_input
from projections.times import aware
from service.app import disclosure
from service.app.keeping_posted import KeepingPostedCommands
from service.app.authorization import Permission as P, Target
from service.app.messages import WHAT_HAPPENED, compose, part_of
from service.app.news import day
from service.app.ports import DeliveryFailed, Outgoing

MOST_TRIES = 8  # tries a message itself failed (a channel that cannot be reached counts none)
LEASE_SECONDS = 120.0  # how long a sender holds a message it is sending; a dead sender's go back after it
BATCH = 500
CLAIM = 50  # sends claimed in one transaction: well within a lease however slow the channel
log = logging.getLogger("coproduce.notifications")


def _about(row: Any) -> dict[str, str]:
    return {"issue_id": row.issue_id, "hub_id": row.hub_id, "kind": row.kind, "ref_id": row.ref_id}


REMINDER_KINDS = ("reminder:", "overdue:")  # the start of an owner's reminder's key (see `reminders`)


def reminders(actions: list[Any], ways: list[str], now: datetime) -> list[SimpleNamespace]:
    """Owners' reminders, as messages due: one a week before an action is due, then one each week
    while it is overdue. They follow the clock, not an event, so they are not in the read model; their
    keys (the action, and its due day or the week) keep each from going twice."""
    found = []
    for action in actions:
        overdue = action.due < now.date().isoformat()
        kind, when = ("overdue", messages_due.week_of(now)) if overdue else ("reminder", action.due)
        for way in (w for w in action.ways if w in ways):
            found.append(SimpleNamespace(
                message_key=f"{kind}:{action.action_id}:{when}:{action.owner_id}:{way}", person_id=action.owner_id,
                way=way, kind=kind, issue_id=action.issue_id, hub_id=action.hub_id, ref_id=action.action_id,
                what=f"{action.title} (due {action.due})", title=action.issue_title, round_up=None))
    return found


def _entries(group: list[Any]) -> list[dict[str, Any]]:
    return [{"key": row.message_key, "person_id": row.person_id, "way": row.way, "about": _about(row)}
            for row in group]


def _grouped(rows: Iterable[Any]) -> list[list[Any]]:
    """One send per row, or per person, way and week for a weekly round-up."""
    groups: dict[tuple, list[Any]] = {}
    for row in rows:
        groups.setdefault((row.person_id, row.way, row.round_up or row.message_key), []).append(row)
    return list(groups.values())


class HandOverRefused(DomainError):
    """A hand-over that cannot be recorded because of what was given in one field: `field` and `why`
    (the doors show it beside that field). Nothing was recorded."""

    def __init__(self, field: str, why: str):
        super().__init__(f"{field}: {why}")
        self.field, self.why = field, why


class Deliveries(KeepingPostedCommands):
    """The sender: `deliver_due` is one pass (the worker runs it again and again; the embedded store
    after commands); messages whose way has no channel wait, and so do all while a channel is down."""

    def _notify(self, recordings: list) -> None:
        super()._notify(recordings)
        if self.wiring.deliver_inline and self.wiring.channels and self.wiring.outbox is not None \
                and not self.__dict__.get("_sender_here"):
            self._passes().nudge(self.deliver_due)

    def send_here(self) -> None:
        """This process is the sender (`coproduce notifications run`): no passes in the background too."""
        self._sender_here = True

    def _passes(self) -> _Passes:
        if "_sending" not in self.__dict__:
            self._sending = _Passes()
        return self._sending

    def deliver_due(self, now: datetime | None = None, limit: int = BATCH) -> dict[str, int]:
        """One pass: record outcomes left unrecorded, send what is due, record what happened."""
        outbox, counts = self.wiring.outbox, {"sent": 0, "retry": 0, "failed": 0, "held": 0}
        if outbox is None:
            return counts
        now = now or datetime.now(timezone.utc)
        self._record_outcomes()
        self._drop_taken_back()
        ways = [way for way in self.wiring.channels if way in {w.value for w in Way}]
        if ways:
            with self.read_models().connect() as conn:
                rows = self._sendable(conn, ways, messages_due.week_of(now), limit)
                rows += reminders(messages_due.owners_to_remind(conn, now.date()), ways, now)
            free = outbox.claimable([row.message_key for row in rows], now)
            with self.channel_turn():
                try:
                    self._send_all(_grouped(row for row in rows if row.message_key in free), now, counts)
                finally:
                    for channel in self.wiring.channels.values():
                        channel.close()
            self._record_outcomes()
        return counts

    def _sendable(self, conn: Any, ways: list[str], week: str, limit: int) -> list[Any]:
        """Up to `limit` rows due by `ways` that may go, oldest first: news held back (`_held_back`)
        waits, and as many more rows are read as were held, so that it never stops the rest."""
        fetch = limit
        while True:
            rows = messages_due.waiting(conn, ways, week, fetch)
            held = self._held_back(conn, rows)
            if len(rows) < fetch or len(rows) - len(held) >= limit:
                return [row for row in rows if row.message_key not in held][:limit]
            fetch = limit + len(held)

    def _held_back(self, conn: Any, rows: list[Any]) -> set[str]:
        """The messages not to send now: news that would not be handed over at the hub (about an issue on
        which the person gave input with no name: disclosure.named_on_news), to a person whose ways were
        last set by someone else. Whoever set them could have put their own address there and learnt
        whose that input was. The news stays on the person's own page (signed in, or /track with their
        code), and goes once the person sets their ways themselves."""
        unnamed = [row for row, name in self._as_staff_would_name(conn, rows, lambda _: "") if name is None]
        kept = {person_id: self._keeping_posted(UUID(person_id)) for person_id in {row.person_id for row in unnamed}}
        return {row.message_key for row in unnamed
                if kept[row.person_id] is not None and not kept[row.person_id].set_by_them}

    def _send_all(self, groups: list[list[Any]], now: datetime, counts: dict[str, int]) -> None:
        """Claim a chunk of sends at a time, then send each; once a channel fails to answer, the rest
        of its messages go back untried until the next pass."""
        outbox, owner, down = self.wiring.outbox, uuid4().hex[:16], set()
        hub_name = functools.cache(lambda hub_id: self.hub(UUID(hub_id)).name)
        for start in range(0, len(groups), CLAIM):
            chunk = [group for group in groups[start:start + CLAIM] if group[0].way not in down]
            taken = outbox.claim([_entries(group) for group in chunk], owner, now, LEASE_SECONDS)
            for group, ok in zip(chunk, taken):
                if ok and group[0].way in down:
                    outbox.release([row.message_key for row in group], now)
                outcome = self._deliver(group, now, hub_name) if ok and group[0].way not in down else "held"
                counts[outcome] += 1
                if outcome == "retry":
                    down.add(group[0].way)

    def _deliver(self, group: list[Any], now: datetime, hub_name: Callable[[str], str]) -> str:
        """Send one message already claimed, and write its outcome at once."""
        outbox, first = self.wiring.outbox, group[0]
        keys = [row.message_key for row in group]
        to = self._address(UUID(first.person_id), first.way)
        if to is None:
            outbox.settle(keys, "failed", now, f"no {first.way} details to send to")
            return "failed"
        page, by_code = self._page_of(UUID(first.person_id))
        words = compose(hub_name(first.hub_id), [part_of(row) for row in group], page, by_code)
        key = keys[0] if len(keys) == 1 else f"round-up:{first.person_id}:{first.way}:{first.round_up}"
        try:
            self.wiring.channels[first.way].send(Outgoing(key, first.way, to, words.subject, words.text, words.html))
        except DeliveryFailed as failed:
            if failed.unreachable:  # the channel is away: no try is counted against the message
                outbox.release(keys, now)
                return "retry"
            tries = outbox.retry_later(keys, str(failed), now)
            if failed.permanent or tries >= MOST_TRIES:
                outbox.settle(keys, "failed", now, str(failed))
                return "failed"
            return "retry"
        outbox.settle(keys, "sent", now)
        return "sent"

    def _address(self, person_id: UUID, way: str) -> str | None:
        """Where a message by `way` goes now: None once the person changed their mind or was forgotten."""
        kept = self._keeping_posted(person_id)
        if kept is None or not kept.hears_by(way):
            return None
        details = json.loads(self.sealer.open(kept.details) or "{}")
        return details.get(NEEDS[Way(way)]) or None

    def _page_of(self, person_id: UUID) -> tuple[str, bool]:
        """Where the person reads more, and whether it takes the tracking code on their receipt: someone
        with no account of their own follows their input at /track, which asks for it; everyone else
        signs in to /my-input. No address when the site's is not set."""
        if not self.wiring.site_url:
            return "", False
        by_code = self.account(person_id).newcomer
        return f"{self.wiring.site_url.rstrip('/')}{'/track' if by_code else '/my-input'}", by_code

    def _drop_taken_back(self) -> None:
        """Messages waiting to be tried again that are no longer owed (news about input since withdrawn,
        which the read model takes back) are dropped from the outbox, so that nothing counts them as
        still to go. Owners' reminders follow the clock, not the read model, and are left alone."""
        waiting = [key for key in self.wiring.outbox.waiting_to_try_again() if not key.startswith(REMINDER_KINDS)]
        if waiting:
            with self.read_models().connect() as conn:
                owed = messages_due.still_due(conn, waiting)
            self.wiring.outbox.drop_waiting([key for key in waiting if key not in owed])

    def _record_outcomes(self) -> None:
        """The events of outcomes already written (by this pass, or by a sender that died after)."""
        outbox = self.wiring.outbox
        while rows := outbox.unrecorded(BATCH):
            people: dict[str, KeepingPosted] = {}
            for row in rows:
                kept = people.get(row["person_id"]) or self._keeping_posted(UUID(row["person_id"]))
                if kept is None or kept.was_settled(row["message_key"]):
                    continue
                people[row["person_id"]] = kept
                if row["state"] == "sent":
                    kept.record_sent(row["message_key"], row["way"], row["about"])
                else:
                    kept.record_failed(row["message_key"], row["way"], row["reason"] or "not delivered",
                                       row["about"])
            if people:
                self._save(*people.values())
            outbox.recorded([row["message_key"] for row in rows])

    def hand_over(self, hub_id: UUID, session_id: UUID, message_keys: list[str], actor: Actor) -> int:
        """A facilitator gave people their news at a session of the hub: each message is recorded
        as handed over; those already settled, not this hub's to hand over, or not on its sheet,
        are refused."""
        hub = self.readable_hub(hub_id, actor, P.RECORD_SESSION)
        session = hub.session(session_id)
        acting = self.authorize(actor, P.RECORD_SESSION, Target(hub.id))
        rows = {row.message_key: row for row, _ in self._news_to_hand_over(hub.id)}
        if any(key not in rows for key in message_keys):
            raise RuleBroken("that news is not waiting to be given out at this hub")
        newest = max((aware(rows[key].due_at).date() for key in message_keys), default=None)
        if newest is not None and date.fromisoformat(session.held_on) < newest:
            raise HandOverRefused("session_id", f"that session was held on {day(date.fromisoformat(session.held_on))}, "
                                  f"before the news was there to give (it came on {day(newest)}): choose the "
                                  "session at which you gave it")
        people: dict[str, KeepingPosted] = {}
        for key in dict.fromkeys(message_keys):
            row = rows[key]
            kept = people.get(row.person_id) or self._keeping_posted(UUID(row.person_id))
            people[row.person_id] = kept
            kept.record_handed_over(key, session_id, _about(row), acting)
        if people:
            self._save(*people.values())
        return len(dict.fromkeys(message_keys))

    def hand_over_sheet(self, hub_id: UUID, actor: Actor) -> list[dict[str, Any]]:
        """The news to give out at the hub's next session, person by person (its facilitators and managers):
        people who chose to hear at their hub are named to those who give it to them, as they chose."""
        hub = self.readable_hub(hub_id, actor, P.RECORD_SESSION)
        return [{"message_key": row.message_key, "person_id": row.person_id, "name": name,
                 "issue_title": row.title, "kind": row.kind, "said": WHAT_HAPPENED[row.kind][0], "what": row.what,
                 "due_at": row.due_at}
                for row, name in self._news_to_hand_over(hub.id)]

    def _news_to_hand_over(self, hub_id: UUID) -> list[tuple[Any, str]]:
        """The hub's news waiting to be handed over that its staff may read, each with the person's name
        as staff may see it (disclosure.named_on_news). News about an issue on which the person gave
        input with no name is never put on the sheet: the staff who give it out, seeing whose news it
        is and when it came, could tell whose that input was. The person reads it themselves, signed
        in or with their tracking code."""
        with self.read_models().connect() as conn:
            rows = messages_due.to_hand_over(conn, str(hub_id))
            named = self._as_staff_would_name(conn, rows, functools.cache(self.display_name))
        return [(row, name) for row, name in named if name is not None]

    @staticmethod
    def _as_staff_would_name(conn: Any, rows: list[Any], name_of: Callable[[str], str]) -> list[tuple[Any, str | None]]:
        """Each message with its person's name as the hub's staff may see it beside news about that issue
        (disclosure.named_on_news, from how they chose to be named in their input on it): None where
        they gave any with no name, since staff could then tie that input to them."""
        given = my_input.attributions_on(conn, {row.issue_id for row in rows})
        return [(row, disclosure.named_on_news(given.get((row.issue_id, row.person_id), set()), name_of(row.person_id)))
                for row in rows]

    def delivery_status(self) -> dict[str, Any]:
        """Operator: messages due, sent, failed and handed over, and the oldest still waiting."""
        with self.read_models().connect() as conn:
            found = messages_due.counts(conn)
            oldest = messages_due.oldest_due(conn)
        outbox = self.wiring.outbox.status() if self.wiring.outbox is not None else {}
        return {"due": found.get("due", 0), "sent": found.get("sent", 0), "failed": found.get("failed", 0),
                "handed_over": found.get("handed_over", 0), "oldest_due": oldest, "sending": outbox.get("sending", 0),
                "to_try_again": outbox.get("retry", 0), "channels": sorted(self.wiring.channels)}

    def close(self) -> None:
        if "_sending" in self.__dict__:
            self._sending.wait()
        super().close()
        if self.wiring.outbox is not None:
            self.wiring.outbox.close()


class _Passes:
    """At most one sending pass at a time in a process, in the background; a nudge during a pass
    asks for one more after it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.again = False

    def nudge(self, run) -> None:
        with self.lock:
            if self.thread is not None and self.thread.is_alive():
                self.again = True
                return
            self.thread = threading.Thread(target=self._loop, args=(run,), name="coproduce-sender", daemon=True)
            self.thread.start()

    def _loop(self, run) -> None:
        while True:
            try:
                run()
            except Exception as error:  # the next nudge tries again; the error names no person
                log.warning("a sending pass stopped: %s", type(error).__name__)
            with self.lock:
                if not self.again:
                    self.thread = None
                    return
                self.again = False

    def wait(self, timeout: float = 30.0) -> None:
        thread = self.thread
        if thread is not None:
            thread.join(timeout)
