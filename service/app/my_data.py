"""A copy of everything Coproduce holds about one person (the UK GDPR right of access).

The copy is made of sections, each produced by one function of `SECTIONS`: the account, each piece
of input with its fate and the feedback given on it, ratings, and the history of every act by the
person or about them. Everything in it is shown as the disclosure policy lets this person see it:
their own words and name in full, other people only as the policy names them to this person.

Asking for a copy is itself recorded (`Account.CopyGiven`), so the audit trail shows every copy
that went out: the person's own, and those an admin made for a request on paper.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain import Account, Actor
from domain.keeping_posted import keeping_posted_id
from projections import accountability, messages_due, my_input
from projections.describe import SENTENCES, Sentence, describe
from projections.timeline import contributions_touched
from projections.times import now
from service.app import disclosure
from service.app.authorization import Permission as P, Who
from service.app.queries import ReadQueries, _Lookups
from service.app.timeline_view import AN_EXPERT

SELF = "the person, signed in"
BATCH = 1000  # notifications read at a time
STORIES = 2500  # pieces of input read at a time (each page sorts the person's input again)
CHUNK = 64 * 1024  # characters of JSON sent at a time
ENVELOPE = {"originator_id", "originator_version", "originator_topic", "timestamp", "actor"}
# Fields sealed with someone's key, by kind of event, and whose key: opened only when it is this person's.
SEALED = {"ContributionRecorded": ("text",), "ContributionCorrected": ("text",), "Registered": ("name", "contact"),
          "BallotCast": ("ballot",)}


@dataclass
class CopyOf:
    """The person a copy is of, who they are to the disclosure policy, and one answer's lookups."""

    account: Account
    viewer: Who
    look: _Lookups
    requested_by: str
    sentences: Mapping[str, Sentence] = field(default_factory=lambda: SENTENCES)  # the history's register

    @property
    def id(self) -> str:
        return str(self.account.id)


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (UUID, set, frozenset)):
        return sorted(str(v) for v in value) if isinstance(value, (set, frozenset)) else str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


class PersonalCopies(ReadQueries):
    """A person's copy of their data: as JSON (streamed) or as one dictionary for a page."""

    def copy_of_data(self, actor: Actor, person_id: UUID | None = None,
                     requested_by: str = SELF) -> Iterator[str]:
        """Everything held about the person as JSON, a chunk at a time; refused (and nothing sent)
        before the first chunk if `actor` may not have it. The request is recorded first."""
        of = self._copy_for(actor, person_id, requested_by)
        return _chunked(_json(of, self._sections(of)))

    def data_held(self, actor: Actor, person_id: UUID | None = None, requested_by: str = SELF,
                  sentences: Mapping[str, Sentence] = SENTENCES) -> dict[str, Any]:
        """Everything held about the person, section by section, for a page or a PDF (`sentences`: the
        history's register, the pages' everyday words for a copy a person reads)."""
        of = replace(self._copy_for(actor, person_id, requested_by), sentences=sentences)
        return {"copy": _about(of), **{name: value if isinstance(value, dict) else list(value)
                                       for name, value in self._sections(of)}}

    def may_have_copy_of(self, actor: Actor, person_id: UUID) -> bool:
        """Whether `actor` may have the copy of `person_id`'s data: their own, or (admins) anyone's."""
        return str(person_id) == str(actor.account_id) or self.allows(actor, P.COPY_FOR_SOMEONE)

    def _copy_for(self, actor: Actor, person_id: UUID | None, requested_by: str) -> CopyOf:
        """The person's own copy, or (admins only) someone else's; the request recorded on their account."""
        if person_id is None or str(person_id) == str(actor.account_id):
            who = self.who(actor)
            acting, person_id, requested_by = Actor(who.account_id, who.role), actor.account_id, SELF
        else:
            acting = self.authorize(actor, P.COPY_FOR_SOMEONE)
        self._change(Account, person_id, "account", lambda account: account.give_copy(requested_by, acting))
        account = self.account(person_id)
        viewer = Who(account.id, account.role, frozenset(account.hub_ids))
        return CopyOf(account, viewer, _Lookups(self), requested_by.strip())

    def _sections(self, of: CopyOf) -> Iterator[tuple[str, Any]]:
        for name, section in SECTIONS:
            yield name, section(self, of)


def _about(of: CopyOf) -> dict[str, Any]:
    return {"of": of.id, "made_at": now(), "requested_by": of.requested_by,
            "sections": [name for name, _ in SECTIONS]}


def _json(of: CopyOf, sections: Iterator[tuple[str, Any]]) -> Iterator[str]:
    """One JSON object, written as it is read: lists are never held whole."""
    yield '{"copy": ' + json.dumps(_about(of), default=_plain)
    for name, value in sections:
        yield f", {json.dumps(name)}: "
        if isinstance(value, dict):
            yield json.dumps(value, default=_plain)
            continue
        yield "["
        for n, item in enumerate(value):
            yield (", " if n else "") + json.dumps(item, default=_plain)
        yield "]"
    yield "}\n"


def _chunked(parts: Iterator[str]) -> Iterator[str]:
    buffer, size = [], 0
    for part in parts:
        buffer.append(part)
        size += len(part)
        if size >= CHUNK:
            yield "".join(buffer)
            buffer, size = [], 0
    yield "".join(buffer)


# --- the sections: one function each ------------------------------------------------------------------

def account_section(app: PersonalCopies, of: CopyOf) -> dict[str, Any]:
    """The account: who they are to Coproduce, their role and their hubs."""
    account = of.account
    return {"id": of.id, "username": account.username, "name": of.look.open(account.name),
            "contact": of.look.open(account.contact), "role": account.role.value,
            "registered_at": account.created_on,
            "hubs": [{"id": hub_id, "name": of.look.hub(UUID(hub_id)).name} for hub_id in account.hub_ids]}


def input_section(app: PersonalCopies, of: CopyOf) -> Iterator[dict[str, Any]]:
    """Each piece of input, newest first, with its fate and the feedback given on it."""
    first = 0
    while True:
        with app.read_models().connect() as conn:
            stories = my_input.of_contributor(conn, of.id, first, STORIES)
        for story in stories:
            yield app._story(story, of.look, of.viewer)
        if len(stories) < STORIES:
            return
        first += STORIES


def ratings_section(app: PersonalCopies, of: CopyOf) -> Iterator[dict[str, Any]]:
    """How each decision they rated felt to them, beside the level the hub claimed."""
    with app.read_models().connect() as conn:
        rows = accountability.of_rater(conn, of.id)
    for row in rows:
        yield {"issue_id": row.issue_id, "decision": row.version, "kind": row.kind, "claimed": row.claimed,
               "felt": row.felt, "at": row.at}


def contact_section(app: PersonalCopies, of: CopyOf) -> dict[str, Any]:
    """How they chose to hear from us, with the details they gave (sealed with their key)."""
    return app._contact(of.account.id)


def messages_section(app: PersonalCopies, of: CopyOf) -> Iterator[dict[str, Any]]:
    """Each message due to them, sent, handed over or failed: what it was about and how it went (the
    words of a message are not kept once it is sent)."""
    with app.read_models().connect() as conn:
        rows = messages_due.of_person(conn, of.id)
    for row in rows:
        yield {"about": row.kind, "issue_id": row.issue_id, "hub_id": row.hub_id, "way": row.way,
               "status": row.status, "due_at": row.due_at, "settled_at": row.settled_at}


def votes_section(app: PersonalCopies, of: CopyOf) -> Iterator[dict[str, Any]]:
    """The priority rounds of their hubs they took part in: that they voted, never how (ballots are secret)."""
    for hub_id in of.account.hub_ids:
        for round_ in app._rounds_of(UUID(hub_id)):
            if round_.has_voted(of.id):
                yield {"round_id": str(round_.id), "hub_id": hub_id, "closes_on": round_.closes_on,
                       "closed_at": round_.closed_at, "took_part": True}


def history_section(app: PersonalCopies, of: CopyOf) -> Iterator[dict[str, Any]]:
    """Every event of the log by them or about them, oldest first: `concerns` says which."""
    theirs: set[str] = set()
    naming = CopyNaming(of, functools.cache(app.display_name))
    position = 0
    while True:
        batch = app.recorder.select_notifications(position, BATCH, inclusive_of_start=False)
        for notification in batch:
            event = app.mapper.to_domain_event(notification)
            if concerns(event, of.id, theirs):
                yield _entry(app, notification.id, event, of, naming, theirs)
        if len(batch) < BATCH:
            return
        position = batch[-1].id


def concerns(event: Any, person: str, theirs: set[str]) -> bool:
    """Whether an event is by or about the person: their account is its aggregate, its actor or any of
    its values, or it touches a piece of their input (`theirs` grows as their input is recorded)."""
    if getattr(event, "contributor_id", None) is not None and str(event.contributor_id) == person:
        theirs.add(str(event.contribution_id))
    if str(event.originator_id) == person or (getattr(event, "actor", None) or {}).get("id") == person:
        return True
    if any(_mentions(value, person) for name, value in vars(event).items() if name not in ENVELOPE):
        return True
    return any(c in theirs for c in contributions_touched(event))


def _mentions(value: Any, person: str) -> bool:
    if isinstance(value, (list, tuple, set)):
        return any(_mentions(v, person) for v in value)
    return isinstance(value, (str, UUID)) and str(value) == person


def _entry(app: PersonalCopies, position: int, event: Any, of: CopyOf, naming: CopyNaming,
           theirs: set[str]) -> dict[str, Any]:
    kind = type(event).__name__
    actor = getattr(event, "actor", None) or {}
    aggregate = type(event).__qualname__.split(".")[0]
    what = describe(event, naming, of.sentences).what if aggregate == "SystemicIssue" else kind
    elsewhere = _someone_elses(event, aggregate, of.id)
    return {"position": position, "at": event.timestamp, "aggregate": aggregate,
            "aggregate_id": None if elsewhere else event.originator_id, "kind": kind, "what": what,
            "by": naming.actor(event) if actor.get("id") else None, "role": actor.get("role"),
            "details": {} if elsewhere else _details(app, event, of, theirs)}


PEOPLE = {"Account", "Username", "TrackingCode", "KeepingPosted"}  # aggregates, each of one person


def _someone_elses(event: Any, aggregate: str, person: str) -> bool:
    """An act of this person's on another person's account, name, code or choice (a facilitator
    welcoming someone new, recording their choice at a session): that it happened is theirs, which
    account and what it holds are the other person's, and would tie them to input given unnamed."""
    if aggregate not in PEOPLE:
        return False
    own = {person, str(keeping_posted_id(person))}
    return str(event.originator_id) not in own and str(getattr(event, "account_id", "")) != person


def _details(app: PersonalCopies, event: Any, of: CopyOf, theirs: set[str]) -> dict[str, Any]:
    """The event's own fields as this person may see them: words and names sealed for them opened, anyone
    else's left out, and whose input it is named by id only to its contributor."""
    kind, details = type(event).__name__, {}
    for name, value in vars(event).items():
        if name in ENVELOPE or (name == "contributor_id" and str(value) != of.id):
            continue
        if name in SEALED.get(kind, ()):
            value = of.look.open(value) if _sealed_for(event, of.id, theirs) else None
        details[name] = value
    return details


def _sealed_for(event: Any, person: str, theirs: set[str]) -> bool:
    if type(event).__name__ == "BallotCast":
        return False  # sealed with the round's key, never opened for anyone (the votes section says they took part)
    if type(event).__name__ == "Registered":
        return str(event.originator_id) == person
    return str(event.contribution_id) in theirs


class CopyNaming:
    """`projections.describe.Naming` for a person reading the history of their own data."""

    def __init__(self, of: CopyOf, names: Callable[[str], str]):
        self.of, self.names = of, names

    def account(self, account_id: str) -> str:
        return "you" if str(account_id) == self.of.id else self.names(str(account_id))

    def actor(self, event: Any) -> str:
        actor = event.actor
        if actor["id"] == self.of.id:
            return "you"
        return AN_EXPERT if actor.get("role") == "expert" else self.names(actor["id"])

    def contributor(self, event: Any) -> str:
        contributor = str(getattr(event, "contributor_id", self.of.id))
        if contributor == self.of.id:
            return "you"
        item = disclosure.Input(None, contributor, event.actor["id"], event.may_quote, event.attribution)
        return disclosure.name_shown(self.of.viewer, item, self.names(contributor))

    def rating_shown(self, event: Any) -> bool:
        return disclosure.sees_rating_of(self.of.viewer, event.actor["id"])


Section = Callable[[PersonalCopies, CopyOf], Any]
SECTIONS: list[tuple[str, Section]] = [
    ("account", account_section),
    ("input", input_section),
    ("ratings", ratings_section),
    ("contact", contact_section),
    ("messages", messages_section),
    ("votes", votes_section),
    ("history", history_section),
]
