"""Read models find events by name: every name a view handles must be an event the domain records."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from eventsourcing.domain import Aggregate, CanInitAggregate, DomainEvent

import domain
import projections
from projections.all_views import VIEWS
from projections.view import View


def _modules(package) -> list:
    return [importlib.import_module(f"{package.__name__}.{m.name}") for m in pkgutil.iter_modules(package.__path__)]


def domain_aggregates() -> set[type]:
    """Every aggregate class the domain defines."""
    return {cls for module in _modules(domain) for cls in vars(module).values()
            if inspect.isclass(cls) and issubclass(cls, Aggregate) and cls.__module__.startswith("domain.")}


def events_of(aggregate: type) -> set[type]:
    """The events an aggregate records. The library also gives every aggregate a base `Event` and a
    default `Created`: neither is recorded when the aggregate names its own created event (`Raised`)."""
    events = {e for name, e in vars(aggregate).items()
              if inspect.isclass(e) and issubclass(e, DomainEvent) and name != "Event"}
    created = {e for e in events if issubclass(e, CanInitAggregate)}
    return events - {e for e in created if e.__name__ == "Created" and len(created) > 1}


def domain_event_names() -> set[str]:
    """`Aggregate.Event` names, as eventsourcing gives them: each event class's `__qualname__`."""
    return {event.__qualname__ for aggregate in domain_aggregates() for event in events_of(aggregate)}


def every_view() -> list[View]:
    """The views Coproduce keeps, and any other defined in a projections module."""
    found = {id(v): v for v in VIEWS}
    for module in _modules(projections):
        found.update({id(v): v for v in vars(module).values() if isinstance(v, View)})
    return list(found.values())


def unknown_names(view: View, known: set[str]) -> list[str]:
    """The names `view` handles that match no event of the domain."""
    aggregates = {name.split(".")[0] for name in known}
    wildcards = {f"{a}.*" for a in aggregates} | ({"*"} if view.raw else set())
    return sorted(name for name in view.handlers if name not in known | wildcards)


def test_the_domain_has_the_events_the_views_are_written_for():
    # a guard on the walk itself: had it found nothing, every name would look unknown or the test vacuous
    names = domain_event_names()
    assert {"SystemicIssue.ContributionRecorded", "Hub.Created", "Account.Forgotten"} <= names


@pytest.mark.parametrize("view", every_view(), ids=lambda v: v.name)
def test_every_event_name_a_view_handles_exists_in_the_domain(view):
    assert unknown_names(view, domain_event_names()) == []


def test_a_misspelt_event_name_is_caught():
    # given a view written for an event the domain does not have
    view = View("misspelt")
    view.on("SystemicIssue.ContributionRecorded", "SystemicIssue.ContributionAdded", "Issue.*",
            "SystemicIssue.Created")(lambda *_: None)
    # then the check names exactly the names that match nothing (an issue is raised, never "created")
    assert unknown_names(view, domain_event_names()) == [
        "Issue.*", "SystemicIssue.ContributionAdded", "SystemicIssue.Created"]


def test_only_a_raw_view_may_take_every_event():
    view = View("everything")
    view.on("*")(lambda *_: None)
    assert unknown_names(view, domain_event_names()) == ["*"]
