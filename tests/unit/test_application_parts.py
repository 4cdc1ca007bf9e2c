"""The application is made of parts (mixins); a name one part gives must not hide another part's.

Two parts once both had `_kept` (a method in one, a cache in the other), so every conflicting save
failed with a TypeError instead of a 409. A part may replace a name only on purpose, calling the
one it replaces (`super()`), and those names are listed here.
"""

from eventsourcing.application import Application

from service.app.application import CoproduceBase
from service.app.coproduce import Coproduce

EXTENDED_ON_PURPOSE = {
    "name",  # the application's name, the same in every part
    "__init__",
    "close",  # the sender waits for its last pass, then the store closes
    "_notify",  # after a save: views caught up, then messages due sent
    "accountability",  # the report, with how selections followed the experts' vote
}


def test_no_part_of_the_application_hides_a_name_of_another():
    parts = [part for part in Coproduce.__mro__[1:] if part.__module__.startswith("service.")]
    given_by: dict[str, list[str]] = {}
    for part in parts:
        for name in vars(part):
            if not (name.startswith("__") and name != "__init__"):
                given_by.setdefault(name, []).append(part.__name__)
    shared = {name: owners for name, owners in given_by.items() if len(owners) > 1}
    assert set(shared) <= EXTENDED_ON_PURPOSE, {n: o for n, o in shared.items() if n not in EXTENDED_ON_PURPOSE}
    library = set(vars(Application)) - EXTENDED_ON_PURPOSE
    hiding = {name: part.__name__ for part in parts if part is not CoproduceBase for name in vars(part)
              if name in library and not name.startswith("__")}
    assert hiding == {}, "only CoproduceBase configures the event store library"
