"""How each person wants to hear from us: set by them, or by a facilitator on their word at a session."""

from __future__ import annotations

import json
import logging
import threading
from datetime import date
from typing import Any
from uuid import UUID

from domain import Account, Actor, Hub, NotFound, Role
from domain.keeping_posted import NEEDS, HowOften, KeepingPosted, Topic, Way, keeping_posted_id
from domain.text import refuse_control_characters
from projections.times import aware
from service.app.application import CoproduceBase
from service.app.authorization import Permission as P
from service.app.messages import contact_changed
from service.app.news import day
from service.app.ports import DeliveryFailed, Outgoing

DETAILS = ("email", "phone", "postal_address")
TOLD_BY = (Way.EMAIL.value, Way.TEXT.value)  # the ways a change made by someone else is told by, at once
NOBODY_ELSE = {"changed_by_someone_else": False, "last_changed_by": None, "last_changed_on": None,
               "last_changed_at": None}
log = logging.getLogger("coproduce.notifications")


def _nothing_chosen() -> dict[str, Any]:
    return {"ways": [], "topics": [t.value for t in Topic], "how_often": HowOften.EACH_TIME.value,
            **dict.fromkeys(DETAILS, ""), "chosen": False, **NOBODY_ELSE}


def session_words(hubs: list[Hub], session_id: str | None) -> str | None:
    """The session in words, "the Library drop-in on 6 March 2026 (Cambridge & South)", found in the
    first of `hubs` that holds it."""
    for hub in hubs:
        session = hub.sessions.get(session_id or "")
        if session is not None:
            return f"the {session.place} {session.format} on {day(date.fromisoformat(session.held_on))} ({hub.name})"
    return None


class KeepingPostedCommands(CoproduceBase):
    """Each person's own choice of how to hear what happened to their input, and its details."""

    def contact_of(self, actor: Actor, person_id: UUID | None = None) -> dict[str, Any]:
        """The person's choice and details (their own; none of anyone else's through this door)."""
        who = self.who(actor)
        person_id = person_id or who.account_id
        if person_id != who.account_id:
            raise NotFound(f"no account with id {person_id}")
        return self._contact(person_id)

    def _contact(self, person_id: UUID) -> dict[str, Any]:
        kept = self._keeping_posted(person_id)
        if kept is None or not kept.details:
            return _nothing_chosen()
        details = json.loads(self.sealer.open(kept.details) or "{}")
        return {"ways": list(kept.ways), "topics": list(kept.topics), "how_often": kept.how_often,
                **{name: details.get(name, "") for name in DETAILS}, "chosen": True, **self._last_change(kept)}

    def _last_change(self, kept: KeepingPosted) -> dict[str, Any]:
        """Who last chose the person's ways (None: they did), when, and at which session: shown to the
        person so that a change they did not ask for does not go unseen. `changed_by_someone_else`
        is what the sending rule follows (a choice of an earlier release counts as the person's own)."""
        version = getattr(kept, "changed_in_version", None)
        if version is None:
            return dict(NOBODY_ELSE)
        [chosen] = list(self.events.get(kept.id, gt=version - 1, lte=version))
        by = kept.changed_by or {}
        theirs = str(by.get("id")) == str(kept.person_id)
        hubs = [self.hub(UUID(h)) for h in self.account(kept.person_id).hub_ids]
        return {"changed_by_someone_else": not kept.set_by_them,
                "last_changed_by": None if theirs else self.display_name(by.get("id", "")),
                "last_changed_on": aware(chosen.timestamp),
                "last_changed_at": None if theirs else session_words(hubs, kept.changed_at_session)}

    def _keeping_posted(self, person_id: UUID) -> KeepingPosted | None:
        try:
            return self._get(KeepingPosted, keeping_posted_id(person_id), "choice")
        except NotFound:
            return None

    def choose_contact(self, actor: Actor, choice: dict[str, Any]) -> dict[str, Any]:
        """Record how the acting person wants to hear from us (any role: owners hear of their actions)."""
        who = self.who(actor)
        self._choose(who.account_id, choice, Actor(who.account_id, who.role), None)
        return self._contact(who.account_id)

    def choose_contact_for(self, person_id: UUID, hub_id: UUID, session_id: UUID, choice: dict[str, Any],
                           actor: Actor) -> None:
        """A facilitator (or manager) records an expert's choice on their word, at a session of their hub."""
        hub = self.readable_hub(hub_id, actor, P.RECORD_SESSION)
        hub.session(session_id)
        try:
            person = self.account(person_id)
        except NotFound:  # the same words as for someone of another hub: no account is told apart from one
            person = None
        if person is None or str(hub_id) not in person.hub_ids or person.forgotten or person.role != Role.EXPERT:
            raise NotFound(f"no expert of this hub with id {person_id}")
        acting = self.authorize(actor, P.RECORD_SESSION)
        before = self._choose(person.id, choice, acting, session_id)
        if before is not None and acting.account_id != person.id:
            self._tell_of_change(person, before, acting, hub, str(session_id))

    def _choose(self, person_id: UUID, choice: dict[str, Any], actor: Actor,
                session_id: UUID | None) -> KeepingPosted | None:
        """Record the choice; the person's choice as it stood before (None if they had none)."""
        details = {name: choice.get(name, "") for name in DETAILS}
        refuse_control_characters(details)  # sealed below, out of the domain's sight
        given = {name for name, value in details.items() if value}
        before = self._keeping_posted(person_id)
        kept = self._keeping_posted(person_id) or KeepingPosted(person_id=person_id)
        kept.choose(choice["ways"], choice["topics"], choice["how_often"],
                    self.sealer.seal(person_id, json.dumps(details)), given, actor, session_id)
        self._save(kept)
        return before

    def _tell_of_change(self, person: Account, before: KeepingPosted, acting: Actor, hub: Hub,
                        session_id: str) -> None:
        """Someone else changed how the person hears from us: tell them at once, at the email address
        and mobile number they had on file before, whether or not they had chosen to hear by them
        (the new details may not be theirs), who did it, where, and to tell
        their hub if it was not them. Sent once, by this server's channels if it has one for the way;
        a failure is logged (never to whom) and the person's own page still shows the change."""
        details = json.loads(self.sealer.open(before.details) or "{}") if before.details else {}
        page = f"{self.wiring.site_url.rstrip('/')}/me/contact" if self.wiring.site_url and not person.newcomer else ""
        words = contact_changed(hub.name, self.display_name(acting.account_id),
                                session_words([hub], session_id) or f"a session of {hub.name}", page)
        for way in TOLD_BY:  # every address or number on file, chosen as a way to hear or not
            to, channel = details.get(NEEDS[Way(way)]), self.wiring.channels.get(way)
            if not to or channel is None:
                continue
            with self.channel_turn():
                try:
                    channel.send(Outgoing(f"contact-changed:{person.id}:{before.version + 1}:{way}", way, to,
                                          words.subject, words.text, words.html))
                except DeliveryFailed as failed:
                    log.warning("a notice of changed contact details did not go by %s: %s", way, failed)
                finally:
                    channel.close()

    def channel_turn(self) -> threading.Lock:
        """One sender at a time on this process's channels (a mail server's connection is not shared)."""
        return self.__dict__.setdefault("_channel_turn", threading.Lock())
