"""How each person wants to hear from us: set by them, or by a facilitator on their word at a session."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from domain import Actor, NotFound, Role
from domain.keeping_posted import HowOften, KeepingPosted, Topic, keeping_posted_id
from domain.text import refuse_control_characters
from service.app.application import CoproduceBase
from service.app.authorization import Permission as P

DETAILS = ("email", "phone", "postal_address")


def _nothing_chosen() -> dict[str, Any]:
    return {"ways": [], "topics": [t.value for t in Topic], "how_often": HowOften.EACH_TIME.value,
            **dict.fromkeys(DETAILS, ""), "chosen": False}


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
                **{name: details.get(name, "") for name in DETAILS}, "chosen": True}

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
        self._choose(person.id, choice, acting, session_id)

    def _choose(self, person_id: UUID, choice: dict[str, Any], actor: Actor, session_id: UUID | None) -> None:
        details = {name: choice.get(name, "") for name in DETAILS}
        refuse_control_characters(details)  # sealed below, out of the domain's sight
        given = {name for name, value in details.items() if value}
        kept = self._keeping_posted(person_id) or KeepingPosted(person_id=person_id)
        kept.choose(choice["ways"], choice["topics"], choice["how_often"],
                    self.sealer.seal(person_id, json.dumps(details)), given, actor, session_id)
        self._save(kept)
