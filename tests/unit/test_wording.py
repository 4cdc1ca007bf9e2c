"""The pages' plain words cover everything they name."""

from __future__ import annotations

from eventsourcing.domain import CanMutateAggregate

from domain import Account, Hub, SystemicIssue, Username
from service.web.wording import KIND_WORDS


def test_every_kind_of_event_has_plain_words_in_the_audit_trail():
    kinds = {name for aggregate in (SystemicIssue, Hub, Account, Username) for name, value in vars(aggregate).items()
             if isinstance(value, type) and issubclass(value, CanMutateAggregate) and name != "Event"}
    assert kinds == set(KIND_WORDS)
