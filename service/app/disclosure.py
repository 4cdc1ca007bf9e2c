"""Who may see what of a piece of input: the one disclosure policy every surface goes through.

| viewer                              | words, may be quoted | words, not to be quoted | name                 | contributor's id |
| ----------------------------------- | -------------------- | ----------------------- | -------------------- | ---------------- |
| the contributor                     | yes                  | yes                     | as given             | yes              |
| facilitator who wrote it down       | yes                  | yes                     | full                 | no               |
| hub manager of the hub              | yes                  | yes, marked             | as the contributor chose | no           |
| anyone else who may read the issue  | yes                  | "chose not to be quoted"| as the contributor chose | no           |
| the public (a published hub's page) | yes                  | never, not even a mark  | as the contributor chose | no           |

Ratings of how a decision felt: the rater sees their own; everyone else sees counts only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from uuid import UUID

from domain import Role
from domain.text import first_word
from projections.describe import FORGOTTEN
from service.app.authorization import Who

UNNAMED = "an expert who asked not to be named"
PUBLIC = Who(UUID(int=0), None, frozenset())  # the public: nobody's account, no hub (never a contributor)
NOT_QUOTED = "chose not to be quoted"
FULL_NAME = "name"  # the attribution that names the contributor in full
FIRST_NAME = "first_name"  # the attribution that names them by their first name only
ANONYMOUS = "anonymous"  # the attribution that names them not at all


class Relation(Enum):
    """How the viewer stands to one piece of input."""

    CONTRIBUTOR = "contributor"
    WROTE_IT_DOWN = "wrote_it_down"
    HUB_MANAGER = "hub_manager"
    OTHER = "other"
    PUBLIC = "public"


@dataclass(frozen=True)
class Input:
    """What the policy needs to know of one piece of input."""

    hub_id: UUID | str
    contributor_id: UUID | str
    entered_by: UUID | str | None
    may_quote: bool
    attribution: str


def relation(viewer: Who, item: Input) -> Relation:
    if viewer == PUBLIC:
        return Relation.PUBLIC
    if str(viewer.account_id) == str(item.contributor_id):
        return Relation.CONTRIBUTOR
    if item.entered_by is not None and str(viewer.account_id) == str(item.entered_by):
        return Relation.WROTE_IT_DOWN
    if viewer.role == Role.HUB_MANAGER and str(item.hub_id) in viewer.hub_ids:
        return Relation.HUB_MANAGER
    return Relation.OTHER


def may_read_words(viewer: Who, item: Input) -> bool:
    """Words not to be quoted are read only by the contributor, who wrote them down and the hub's managers."""
    return item.may_quote or relation(viewer, item) not in (Relation.OTHER, Relation.PUBLIC)


def shown_in_public(item: Input, withdrawn: bool) -> bool:
    """Whether a piece of input appears at all where the public reads: quotable and not withdrawn
    (words not to be quoted are left out whole, not marked)."""
    return item.may_quote and not withdrawn and may_read_words(PUBLIC, item)


def name_shown(viewer: Who, item: Input, full_name: str) -> str:
    """The contributor's name as this viewer may see it."""
    if relation(viewer, item) in (Relation.CONTRIBUTOR, Relation.WROTE_IT_DOWN):
        return full_name
    return as_chosen(item.attribution, full_name)


def as_chosen(attribution: str, full_name: str) -> str:
    """Full name, first name only, or no name at all, as the contributor chose."""
    if attribution == ANONYMOUS:
        return UNNAMED
    if attribution == FIRST_NAME and full_name != FORGOTTEN:
        return first_word(full_name) or full_name
    return full_name


def listed_under_their_name(viewer: Who, contributor_id: UUID | str) -> tuple[str, ...] | None:
    """Which of one person's input may be listed as theirs, on a page about them (what happened to
    their input) read by `viewer`: all of it (None) for the person themselves; for anyone else (an
    auditor, an admin) only what they gave under their full name, since listing the rest as theirs
    would name them where they chose a first name or no name at all."""
    return None if str(viewer.account_id) == str(contributor_id) else (FULL_NAME,)


def named_on_news(attributions: set[str], full_name: str) -> str | None:
    """How a person is named to the hub's staff who hand them news about an issue, given how they
    chose to be named in the input they gave on it (withdrawn input too: staff saw it given):
    not at all (None: the news is not handed over) when any was given with no name, since the staff,
    seeing whose news it is, what it is about and when it came, could tie that input to them; the
    person reads it themselves. By first name only when any was given so; otherwise in full."""
    if ANONYMOUS in attributions:
        return None
    return as_chosen(FIRST_NAME if FIRST_NAME in attributions else FULL_NAME, full_name)


def contributor_id_shown(viewer: Who, item: Input) -> str | None:
    """Only the contributor sees whose input it is by id: an id would tie anonymous input to named input."""
    return str(item.contributor_id) if relation(viewer, item) is Relation.CONTRIBUTOR else None


def entered_by_shown(item: Input) -> str | None:
    """Who wrote it down on the contributor's behalf; nothing when they wrote it themselves (that is their id)."""
    if item.entered_by is None or str(item.entered_by) == str(item.contributor_id):
        return None
    return str(item.entered_by)


def sees_rating_of(viewer: Who, rater_id: UUID | str) -> bool:
    """A rating of how a decision felt is the rater's own; others see counts only."""
    return str(viewer.account_id) == str(rater_id)
