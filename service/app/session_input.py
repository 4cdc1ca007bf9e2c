"""A session recorded with the input said at it, as a facilitator writes it down on one form.

Every piece is checked before anything is recorded: its issue is one of this hub's and still
open, who said it is an expert of the hub, and the person recording may record for them. So a
piece that would be refused records nothing, neither the session nor the pieces before it, and
the form can be put right and sent again without recording anything twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain import Actor, Attribution, Channel, DomainError, NotAllowed, NotFound, RuleBroken, SessionFormat
from service.app.application import CoproduceBase
from service.app.authorization import Permission as P

OF_THIS_HUB = "must be one of this hub's open issues"


@dataclass(frozen=True)
class SaidAtSession:
    """One piece of input said at a session; `contributor_id` None: someone new, without an account."""

    issue_id: UUID
    contributor_id: UUID | None
    text: str
    may_quote: bool
    attribution: Attribution
    new_name: str = ""


@dataclass(frozen=True)
class SessionRecorded:
    session_id: UUID
    codes: list[str]  # the tracking code of each person new to the hub, in the order their input came


class InputRefused(DomainError):
    """Pieces of input that cannot be recorded, by their place in the form: (the field, why). Nothing
    was recorded."""

    def __init__(self, refusals: dict[int, tuple[str, str]]):
        super().__init__("; ".join(f"input {place + 1}: {field} {why}" for place, (field, why) in refusals.items()))
        self.refusals = refusals


class SessionsWithInput(CoproduceBase):
    def record_session_with_input(self, hub_id: UUID, actor: Actor, expected_version: int | None,
                                  session: dict[str, Any], said: list[SaidAtSession]) -> SessionRecorded:
        """Record a session of the hub and the input said at it, once every piece has been checked."""
        refusals = {place: refusal for place, piece in enumerate(said)
                    if (refusal := self._refused_at_session(hub_id, piece, actor))}
        if refusals:
            raise InputRefused(refusals)
        session_id = self.record_session(hub_id, actor, expected_version, **session)
        channel = Channel.ONLINE if session["format"] == SessionFormat.WEBINAR.value else Channel.IN_PERSON
        codes = []
        for piece in said:
            if piece.contributor_id is None:
                codes.append(self.record_from_someone_new(
                    piece.issue_id, piece.new_name, piece.text, actor, channel=channel, may_quote=piece.may_quote,
                    attribution=piece.attribution, session_id=session_id).code)
            else:
                self.record_contribution(piece.issue_id, piece.contributor_id, piece.text, actor, channel=channel,
                                         may_quote=piece.may_quote, attribution=piece.attribution,
                                         session_id=session_id)
        return SessionRecorded(session_id, codes)

    def _refused_at_session(self, hub_id: UUID, piece: SaidAtSession, actor: Actor) -> tuple[str, str] | None:
        """Why this piece could not be recorded at a session of the hub, by the rules its recording keeps."""
        try:
            issue = self.readable_issue(piece.issue_id, actor)
        except NotFound:
            return "issue_id", OF_THIS_HUB
        if str(issue.hub_id) != str(hub_id) or issue.is_closed:
            return "issue_id", OF_THIS_HUB
        permission, owner = (P.WELCOME, None) if piece.contributor_id is None else (P.CONTRIBUTE, piece.contributor_id)
        if not self.allows(actor, permission, hub_id, owner):
            return "contributor_id", "is not someone you may record input for"
        if piece.contributor_id is not None:
            try:
                self.contributor_at(piece.contributor_id, issue.hub_id)
            except (NotFound, NotAllowed, RuleBroken):
                return "contributor_id", "must be one of this hub's experts"
        return None
