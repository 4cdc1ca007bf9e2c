"""Keeping a person posted: how they want to hear what happened to their input, and what reached them.

One `KeepingPosted` per person (its id derived from theirs). Their addresses and numbers arrive
sealed with their own key, so forgetting the person makes them unreadable; the rest (which ways,
about what, how often, and which messages went) are plain facts the messages are derived from.
"""

from __future__ import annotations

from enum import Enum
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.actors import Actor
from domain.clock import TimedAggregate
from domain.errors import RuleBroken, choice


class Way(str, Enum):
    """The ways a person can hear from us."""

    EMAIL = "email"
    TEXT = "text"
    LETTER = "letter"
    AT_MY_HUB = "hub"


class Topic(str, Enum):
    """What a person can ask to hear about."""

    FEEDBACK = "feedback"      # feedback on my input
    PROGRESS = "progress"      # my input was grouped, used in what was found, or led to an action
    ACTIONS = "actions"        # that action was done or dropped
    CLOSED = "closed"          # the issue closed, and what was learnt


class HowOften(str, Enum):
    EACH_TIME = "each_time"
    WEEKLY = "weekly"


# The details each way needs (an address or a number); "at my hub" needs none.
NEEDS = {Way.EMAIL: "email", Way.TEXT: "phone", Way.LETTER: "postal_address"}


def keeping_posted_id(person_id: UUID | str) -> UUID:
    """The one `KeepingPosted` of a person."""
    return uuid5(NAMESPACE_URL, f"coproduce:keeping-posted:{person_id}")


class KeepingPosted(TimedAggregate):
    """How one person wants to hear from us, and each message that reached them (or could not)."""

    @staticmethod
    def create_id(person_id: UUID, **_: object) -> UUID:
        return keeping_posted_id(person_id)

    @event("Started")
    def __init__(self, person_id: UUID) -> None:
        self.person_id = person_id
        self.ways: list[str] = []
        self.topics: list[str] = []
        self.how_often = HowOften.EACH_TIME.value
        self.details = ""
        self.settled: dict[str, str] = {}  # message key -> sent | failed | handed_over
        self.set_by_them = True  # whether the ways were last chosen by the person themselves
        self.changed_by: dict | None = None  # who last chose them, at which session, in which version
        self.changed_at_session: str | None = None
        self.changed_in_version: int | None = None

    def choose(self, ways: list[str], topics: list[str], how_often: str, details: str, has: set[str],
               actor: Actor, session_id: UUID | None = None) -> None:
        """Record the person's choice. `details` arrive sealed; `has` names the details they gave
        (email, phone, postal_address), so the rule can ask for what a chosen way needs."""
        chosen = [choice(Way, way, "ways").value for way in dict.fromkeys(ways)]
        about = [choice(Topic, topic, "topics").value for topic in dict.fromkeys(topics)]
        often = choice(HowOften, how_often, "how_often").value
        for way in chosen:
            needed = NEEDS.get(Way(way))
            if needed and needed not in has:
                raise RuleBroken(f"to hear by {way}, give your {needed.replace('_', ' ')}")
        if chosen and not about:
            raise RuleBroken("choose at least one thing to hear about, or no way to hear")
        self._contact_chosen(ways=chosen, topics=about, how_often=often, details=details,
                             session_id=str(session_id) if session_id else None, actor=actor.as_dict(),
                             by_themselves=str(actor.account_id) == str(self.person_id))

    @event("ContactChosen")
    def _contact_chosen(self, ways: list[str], topics: list[str], how_often: str, details: str,
                        session_id: str | None, actor: dict, by_themselves: bool = True) -> None:
        """`by_themselves`: the person chose, not staff on their word (an earlier release did not
        say, and its choices count as the person's own)."""
        self.ways, self.topics, self.how_often, self.details = list(ways), list(topics), how_often, details
        self.set_by_them, self.changed_by, self.changed_at_session = by_themselves, actor, session_id
        self.changed_in_version = self.version + 1  # its event's, for when it was (the event's own time)

    def hears_by(self, way: str) -> bool:
        return way in self.ways

    def was_settled(self, message_key: str) -> bool:
        return message_key in self.settled

    def record_sent(self, message_key: str, way: str, about: dict) -> None:
        """A message went (the mail server or Notify took it). `about` names the issue, hub and what
        happened (kind, ref), never its words."""
        self._check_unsettled(message_key)
        self._message_sent(message_key=message_key, way=way, about=about)

    @event("MessageSent")
    def _message_sent(self, message_key: str, way: str, about: dict) -> None:
        self._settle(message_key, "sent")

    def record_failed(self, message_key: str, way: str, reason: str, about: dict) -> None:
        """A message could not be delivered, however often it was tried."""
        self._check_unsettled(message_key)
        self._message_failed(message_key=message_key, way=way, reason=reason[:300], about=about)

    @event("MessageFailed")
    def _message_failed(self, message_key: str, way: str, reason: str, about: dict) -> None:
        self._settle(message_key, "failed")

    def record_handed_over(self, message_key: str, session_id: UUID, about: dict, actor: Actor) -> None:
        """A facilitator gave the person their feedback at a session of their hub."""
        self._check_unsettled(message_key)
        self._handed_over(message_key=message_key, session_id=str(session_id), about=about, actor=actor.as_dict())

    @event("HandedOver")
    def _handed_over(self, message_key: str, session_id: str, about: dict, actor: dict) -> None:
        self._settle(message_key, "handed_over")

    def _check_unsettled(self, message_key: str) -> None:
        if message_key in self.settled:
            raise RuleBroken(f"that message was already {self.settled[message_key].replace('_', ' ')}")

    def _settle(self, message_key: str, how: str) -> None:
        self.settled[message_key] = how
