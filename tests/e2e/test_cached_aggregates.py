"""Every command changes a copy of its own: the cached issue only ever holds what was saved."""

from __future__ import annotations

from enum import Enum
from uuid import uuid4

import pytest

from domain import ConflictError, NotFound
from service.app.copies import copied


def state(app, issue_id):
    return vars(app.issue(issue_id))


def test_a_copy_has_the_same_state_and_shares_nothing_that_can_change(world):
    # given
    cached = world.app._cached(type(world.app.issue(world.issues["own"])), world.issues["own"], "issue")
    # when
    copy_ = copied(cached)
    # then
    assert vars(copy_) == vars(cached) and copy_ is not cached
    copy_.withdrawn.add("changed")
    copy_.stakeholders.append("changed")
    assert "changed" not in cached.withdrawn
    assert cached.stakeholders == []


def test_a_command_refused_by_a_rule_leaves_the_issue_as_it_was(world):
    app, issue = world.app, world.issues["own"]
    before = state(app, issue)
    with pytest.raises(NotFound):
        app.theme_contributions(issue, "Buses", [world.contributions["own"], uuid4()],
                                app.actor_for("hub_manager"))
    assert state(app, issue) == before


def test_a_save_refused_as_simultaneous_leaves_only_the_winners_change(world):
    app, issue = world.app, world.issues["own"]
    first, second = app.issue(issue), app.issue(issue)
    manager = app.actor_for("hub_manager")
    first.add_stakeholder("University", "u", manager)
    second.add_stakeholder("Council", "c", manager)
    app._save(first)
    with pytest.raises(ConflictError):
        app._save(second)
    assert [s.name for s in app.issue(issue).stakeholders] == ["University"]
    assert app.issue(issue).version == first.version


class Moving:
    """An aggregate that another thread moves forward while the first copy is being taken."""

    def __init__(self, versions: list[int], items):
        self.versions, self.reads, self.items = versions, 0, items

    @property
    def version(self):
        self.reads += 1
        return self.versions[self.reads - 1]


def test_a_copy_taken_while_the_aggregate_moved_forward_is_taken_again():
    moving = Moving([1, 2, 2, 2], [1])
    copy_ = copied(moving)
    assert copy_.items == [1] and copy_.items is not moving.items
    assert moving.reads == 4  # version 1 before the first copy, 2 after it: copied again


class Colour(str, Enum):
    RED = "red"


def test_enums_are_kept_and_other_values_are_deep_copied():
    value = {"colour": Colour.RED, "pair": ([1], 2), "set": {3}}
    copy_ = copied(Moving([1, 1], value)).items
    assert copy_ == value and copy_["colour"] is Colour.RED
    assert copy_["pair"][0] is not value["pair"][0] and copy_["set"] is not value["set"]
