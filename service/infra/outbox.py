"""`message_deliveries`: each message's delivery as it happens, so nothing goes twice or gets lost.

A sender claims a message with a lease before it sends (`claim`), and writes the outcome the moment
the channel answers (`settle`); the `KeepingPosted` event saying so follows (`unrecorded` →
`recorded`), so a sender killed between the two records the event on its next pass instead of
sending again. A sender killed while a channel was taking a message leaves the row `sending`; its
lease runs out and the message is tried again: that window (the mail server took it, we had not yet
written so) is the one nothing can close, and a stable Message-ID lets mail software drop a copy.
No address, number or message text is kept here: only ids, what the message was about, and why it
failed in words that name no address.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON, Boolean, Column, DateTime, Engine, Integer, MetaData, String, Table, Text, and_, delete, func, insert,
    select, update,
)
from sqlalchemy.exc import IntegrityError

metadata = MetaData()
deliveries = Table(
    "message_deliveries", metadata,
    Column("message_key", String(200), primary_key=True),
    Column("person_id", String(36), nullable=False, index=True),
    Column("way", String(10), nullable=False),
    Column("about", JSON, nullable=False),  # issue, hub, kind and ref: never words
    Column("state", String(10), nullable=False, index=True),  # sending | retry | sent | failed
    Column("owner", String(40), nullable=False),  # the sender holding the lease
    Column("lease_until", DateTime(timezone=True), nullable=False),
    Column("tries", Integer, nullable=False),
    Column("next_try_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False, server_default=""),
    Column("recorded", Boolean, nullable=False, server_default="0"),  # its event is in the log
    Column("settled_at", DateTime(timezone=True)),
)

FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
OPEN = ("sending", "retry")


def wait_after(tries: int, first: timedelta = FIRST_WAIT) -> timedelta:
    """Back-off: 30 s (or `first`) after the first failed try, doubling, at most an hour."""
    return min(first * 2 ** max(tries - 1, 0), LONGEST_WAIT)


def _free(now: datetime) -> Any:
    """A row another sender may take: still open, its lease over and its next try due."""
    return and_(deliveries.c.state.in_(OPEN), deliveries.c.lease_until <= now, deliveries.c.next_try_at <= now)


def _new_row(entry: dict[str, Any], owner: str, now: datetime, until: datetime) -> dict[str, Any]:
    return {"message_key": entry["key"], "person_id": entry["person_id"], "way": entry["way"],
            "about": entry["about"], "state": "sending", "owner": owner, "lease_until": until, "tries": 1,
            "next_try_at": now, "reason": "", "recorded": False}


class _Held(Exception):
    """Another sender holds one of the messages, or it already went."""


class Outbox:
    """The `Outbox` port (service/app/ports.py) on our own table."""

    def __init__(self, engine: Engine, first_wait: timedelta = FIRST_WAIT):
        self.engine, self.first_wait = engine, first_wait

    def claimable(self, keys: list[str], now: datetime) -> set[str]:
        """Which of `keys` nobody holds, is not waiting to be tried again, and did not go."""
        with self.engine.connect() as conn:
            held = {row.message_key for row in conn.execute(
                select(deliveries.c.message_key).where(deliveries.c.message_key.in_(keys), ~_free(now)))}
        return set(keys) - held

    def claim(self, groups: list[list[dict[str, Any]]], owner: str, now: datetime,
              lease_seconds: float) -> list[bool]:
        """Take each send's messages (`key`, `person_id`, `way`, `about`) for `lease_seconds`, in one
        transaction: a send is taken whole, or not at all if another sender holds one of its messages."""
        if not groups:
            return []
        until = now + timedelta(seconds=lease_seconds)
        taken = []
        with self.engine.begin() as conn:
            try:  # the usual case: none of them was ever tried, and one statement takes them all
                with conn.begin_nested():
                    conn.execute(insert(deliveries), [_new_row(entry, owner, now, until)
                                                      for entries in groups for entry in entries])
                return [True] * len(groups)
            except IntegrityError:
                pass
            for entries in groups:
                try:
                    with conn.begin_nested():
                        for entry in entries:
                            self._claim(conn, entry, owner, now, until)
                except _Held:
                    taken.append(False)
                else:
                    taken.append(True)
        return taken

    def _claim(self, conn: Any, entry: dict[str, Any], owner: str, now: datetime, until: datetime) -> None:
        if conn.execute(update(deliveries).where(deliveries.c.message_key == entry["key"], _free(now))
                        .values(state="sending", owner=owner, lease_until=until,
                                tries=deliveries.c.tries + 1)).rowcount:
            return
        try:
            with conn.begin_nested():
                conn.execute(insert(deliveries).values(_new_row(entry, owner, now, until)))
        except IntegrityError:
            raise _Held() from None

    def settle(self, keys: list[str], outcome: str, now: datetime, reason: str = "") -> None:
        """The channel took them (`sent`), or they will not be tried again (`failed`)."""
        with self.engine.begin() as conn:
            conn.execute(update(deliveries).where(deliveries.c.message_key.in_(keys))
                         .values(state=outcome, reason=reason[:300], settled_at=now))

    def retry_later(self, keys: list[str], reason: str, now: datetime) -> int:
        """Release them to be tried again after a wait that grows with each try; the tries so far."""
        with self.engine.begin() as conn:
            tries = conn.execute(select(func.max(deliveries.c.tries))
                                 .where(deliveries.c.message_key.in_(keys))).scalar() or 1
            conn.execute(update(deliveries).where(deliveries.c.message_key.in_(keys))
                         .values(state="retry", reason=reason[:300], lease_until=now,
                                 next_try_at=now + wait_after(tries, self.first_wait)))
        return tries

    def release(self, keys: list[str], now: datetime) -> None:
        """Give claimed messages back untried (their channel went away before their turn)."""
        with self.engine.begin() as conn:
            conn.execute(update(deliveries).where(deliveries.c.message_key.in_(keys), deliveries.c.state == "sending")
                         .values(state="retry", lease_until=now, next_try_at=now, tries=deliveries.c.tries - 1))

    def unrecorded(self, limit: int = 500) -> list[dict[str, Any]]:
        """Outcomes written whose events are not yet in the log."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(deliveries).where(deliveries.c.state.in_(("sent", "failed")),
                                                         deliveries.c.recorded.is_(False))
                                .order_by(deliveries.c.settled_at).limit(limit))
            return [row._asdict() for row in rows]

    def recorded(self, keys: list[str]) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(deliveries).where(deliveries.c.message_key.in_(keys)).values(recorded=True))

    def forget(self, person_id: str) -> None:
        """A forgotten person's messages that did not go are dropped; what went keeps that it went."""
        with self.engine.begin() as conn:
            conn.execute(delete(deliveries).where(deliveries.c.person_id == person_id,
                                                  deliveries.c.state.in_(OPEN)))

    def waiting_to_try_again(self) -> list[str]:
        """The keys of messages that failed for now and wait to be tried again."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(deliveries.c.message_key).where(deliveries.c.state == "retry")).scalars())

    def drop_waiting(self, keys: list[str]) -> None:
        """Messages no longer owed are not tried again (one being sent meanwhile is left to finish)."""
        with self.engine.begin() as conn:
            conn.execute(delete(deliveries).where(deliveries.c.message_key.in_(keys), deliveries.c.state == "retry"))

    def close(self) -> None:
        self.engine.dispose()

    def status(self) -> dict[str, Any]:
        """How many are being sent, waiting to be tried again, sent and failed."""
        with self.engine.connect() as conn:
            found = dict(conn.execute(select(deliveries.c.state, func.count()).group_by(deliveries.c.state)).all())
        return {state: found.get(state, 0) for state in (*OPEN, "sent", "failed")}
