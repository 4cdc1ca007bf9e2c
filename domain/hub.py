"""The Hub aggregate: a local co-production group, its managers and its sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID

from eventsourcing.domain import event

from domain.clock import TimedAggregate, new_id, now
from domain.actors import Actor
from domain.errors import NotFound, RuleBroken, choice
from domain.text import shows_something


class HubLifecycle(str, Enum):
    """How far a hub has come, from an idea to a settled group."""

    PRE_PLANNING = "pre-planning"
    PLANNING = "planning"
    ACTIVE = "active"
    ESTABLISHED = "established"


LIFECYCLE = list(HubLifecycle)


class SessionFormat(str, Enum):
    MEETING = "meeting"
    DROP_IN = "drop-in"
    WORKSHOP = "workshop"
    WEBINAR = "webinar"


@dataclass
class Session:
    """A meeting, drop-in, workshop or webinar where input was gathered."""

    id: str
    held_on: str
    place: str
    format: str
    experts_attended: int
    staff_attended: int


class Hub(TimedAggregate):
    """A local hub: experts and services working on systemic issues together."""

    @event("Created")
    def __init__(self, name: str, area: str, lifecycle: str, actor: dict) -> None:
        self.name = name
        self.area = area
        self._lifecycle = lifecycle
        self.manager_ids: list[str] = []
        self.sessions: dict[str, Session] = {}
        self.opened_on: str | None = None  # ISO date; recorded apart, as hubs often start before they are added here
        self.round_ids: list[str] = []  # its priority rounds, oldest first

    @classmethod
    def create(cls, name: str, area: str, lifecycle: HubLifecycle, actor: Actor) -> Hub:
        """Create a hub at the given point in its lifecycle."""
        if not shows_something(name):
            raise RuleBroken("name is required")
        return cls(name=name.strip(), area=area.strip(), lifecycle=choice(HubLifecycle, lifecycle, "lifecycle").value,
                   actor=actor.as_dict())

    @property
    def lifecycle(self) -> HubLifecycle:
        return HubLifecycle(self._lifecycle)

    def advance_lifecycle(self, to: HubLifecycle, actor: Actor) -> None:
        """Move the hub one step on: pre-planning → planning → active → established."""
        to = choice(HubLifecycle, to, "lifecycle")
        if LIFECYCLE.index(to) != LIFECYCLE.index(self.lifecycle) + 1:
            raise RuleBroken(f"a hub in {self.lifecycle.value} cannot move to {to.value}")
        self._lifecycle_advanced(to=to.value, actor=actor.as_dict())

    @event("LifecycleAdvanced")
    def _lifecycle_advanced(self, to: str, actor: dict) -> None:
        self._lifecycle = to

    def record_opening(self, opened_on: date, actor: Actor) -> None:
        """Record the day the hub started (again, to correct it)."""
        if opened_on > now().date():
            raise RuleBroken("opened_on cannot be in the future")
        self._opened_on_recorded(opened_on=opened_on.isoformat(), actor=actor.as_dict())

    @event("OpenedOnRecorded")
    def _opened_on_recorded(self, opened_on: str, actor: dict) -> None:
        self.opened_on = opened_on

    def assign_manager(self, account_id: UUID, actor: Actor) -> None:
        """Make an account one of this hub's managers."""
        if str(account_id) in self.manager_ids:
            raise RuleBroken("that account already manages this hub")
        self._manager_assigned(account_id=account_id, actor=actor.as_dict())

    @event("ManagerAssigned")
    def _manager_assigned(self, account_id: UUID, actor: dict) -> None:
        self.manager_ids.append(str(account_id))

    def record_session(self, held_on: date, place: str, format: SessionFormat,
                       experts_attended: int, staff_attended: int, actor: Actor) -> UUID:
        """Record a session where input was gathered."""
        if experts_attended < 0 or staff_attended < 0:
            raise RuleBroken("attendance cannot be negative")
        if not shows_something(place):
            raise RuleBroken("place is required")
        session_id = new_id()
        self._session_recorded(
            session_id=session_id, held_on=held_on.isoformat(), place=place.strip(),
            format=choice(SessionFormat, format, "format").value, experts_attended=experts_attended,
            staff_attended=staff_attended, actor=actor.as_dict(),
        )
        return session_id

    @event("SessionRecorded")
    def _session_recorded(self, session_id: UUID, held_on: str, place: str, format: str,
                          experts_attended: int, staff_attended: int, actor: dict) -> None:
        self.sessions[str(session_id)] = Session(str(session_id), held_on, place, format,
                                                 experts_attended, staff_attended)

    published = False  # whether the hub shows its "You said, we did" page to the public (off until chosen)

    def publish(self, actor: Actor) -> None:
        """Show the hub's public page: what it works on, what was said that may be quoted, what was done."""
        if self.published:
            raise RuleBroken("the hub's public page is already on")
        self._published(actor=actor.as_dict())

    @event("Published")
    def _published(self, actor: dict) -> None:
        self.published = True

    def stop_publishing(self, actor: Actor) -> None:
        """Take the hub's public page down, at once."""
        if not self.published:
            raise RuleBroken("the hub's public page is already off")
        self._unpublished(actor=actor.as_dict())

    @event("Unpublished")
    def _unpublished(self, actor: dict) -> None:
        self.published = False
    def add_round(self, round_id: UUID, actor: Actor) -> None:
        """Keep a new priority round of this hub (the round itself is its own aggregate)."""
        self._round_added(round_id=round_id, actor=actor.as_dict())

    @event("PriorityRoundAdded")
    def _round_added(self, round_id: UUID, actor: dict) -> None:
        self.round_ids.append(str(round_id))

    def session(self, session_id: UUID) -> Session:
        try:
            return self.sessions[str(session_id)]
        except KeyError:
            raise NotFound(f"session {session_id} was not held by this hub") from None
