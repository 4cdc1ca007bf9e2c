"""The demo: the five hubs of the Cambridgeshire roll-out, with issues at every stage.

Hub names, start dates and stages follow the hubs' own progress report (2023); the
people are invented and every issue is written for this demo.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from uuid import UUID

from domain import Actor, Attribution, Channel, HubLifecycle, NotFound, ParticipationLevel, Role, SessionFormat, Stage
from domain.clock import Clock, keeping
from service.app.coproduce import Coproduce

DEMO_PASSWORD = "coproduce-demo"  # every demo account's password: for trying Coproduce only
ADMIN_ID = UUID("0b0e8a41-5c2f-4d6e-9a57-2018a0d0c0de")  # the demo's own admin, when `init` has not made one

# name, area, lifecycle, added to Coproduce, started (None: not yet)
HUBS = [
    ("Cambridge & South", "Cambridge and South Cambridgeshire", HubLifecycle.ESTABLISHED, date(2018, 5, 14),
     date(2018, 5, 14)),
    ("Peterborough", "Peterborough", HubLifecycle.ACTIVE, date(2023, 3, 6), date(2023, 3, 6)),
    ("East Cambs", "Ely, Littleport and East Cambridgeshire", HubLifecycle.ACTIVE, date(2023, 9, 4), date(2023, 9, 4)),
    ("Wisbech", "Wisbech and Fenland", HubLifecycle.PLANNING, date(2023, 10, 16), None),
    ("Huntingdon", "Huntingdonshire", HubLifecycle.PRE_PLANNING, date(2023, 10, 16), None),
]

# username, role, display name, hubs, joined
PEOPLE = [
    ("sam", Role.HUB_MANAGER, "Sam Okafor", ["Cambridge & South", "Huntingdon"], date(2018, 5, 14)),
    ("fran", Role.FACILITATOR, "Fran Mills", ["Cambridge & South", "Peterborough", "East Cambs"], date(2018, 5, 14)),
    ("alex", Role.EXPERT, "Alex Reid", ["Cambridge & South"], date(2018, 6, 12)),
    ("jo", Role.EXPERT, "Jo Carter", ["Cambridge & South", "Huntingdon"], date(2019, 3, 12)),
    ("rob", Role.EXPERT, "Rob Ashby", ["Cambridge & South"], date(2020, 9, 8)),
    ("dr.shah", Role.ACTION_OWNER, "Dr Nadia Shah", ["Cambridge & South"], date(2022, 9, 13)),
    ("maria", Role.ACTION_OWNER, "Maria Lopes", ["Cambridge & South", "Peterborough"], date(2022, 9, 13)),
    ("auditor", Role.AUDITOR, "Avery Quinn", [], date(2023, 1, 9)),
    ("priya", Role.HUB_MANAGER, "Priya Natarajan", ["Peterborough"], date(2023, 3, 6)),
    ("kim", Role.EXPERT, "Kim Hale", ["Peterborough"], date(2023, 3, 21)),
    ("tom", Role.HUB_MANAGER, "Tom Bright", ["East Cambs", "Wisbech"], date(2023, 9, 4)),
    ("lee", Role.EXPERT, "Lee Brennan", ["East Cambs"], date(2023, 9, 26)),
]

# The accounts the README names, one per role; the Accounts page lists the rest.
FIRST_ACCOUNTS = ["alex", "fran", "sam", "maria", "auditor"]


def _second_tuesdays(first: date, last: date) -> list[date]:
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    firsts = [date(first.year + (first.month - 1 + n) // 12, (first.month - 1 + n) % 12 + 1, 1) for n in range(months)]
    return [day.replace(day=1 + (1 - day.weekday()) % 7 + 7) for day in firsts]


# hub, held on, place, format, experts, staff
SESSIONS = sorted(
    [("Cambridge & South", held_on, "Cambridge community centre", SessionFormat.MEETING, 11 + n % 5, 4 + n % 3)
     for n, held_on in enumerate(_second_tuesdays(date(2022, 5, 1), date(2024, 9, 1)))]
    + [("Peterborough", held_on, place, SessionFormat.DROP_IN, experts, 2) for held_on, place, experts in [
        (date(2023, 3, 21), "Peterborough central library", 6),
        (date(2023, 4, 25), "Millfield community cafe", 9),
        (date(2023, 5, 23), "Dogsthorpe family hub", 4),
        (date(2023, 6, 20), "Peterborough central library", 8),
        (date(2023, 7, 18), "Orton day centre", 7)]]
    + [("East Cambs", date(2023, 9, 26), "Ely", SessionFormat.MEETING, 2, 3),
       ("Wisbech", date(2023, 11, 8), "Wisbech, with local services", SessionFormat.MEETING, 0, 5)],
    key=lambda session: session[1])


class StoryClock:
    """The demo's clock: each event a few minutes after the last, on the day the story has
    reached; ids drawn from a fixed seed, so every load of the demo has the same ids."""

    def __init__(self, seed: int = 2018):
        self._ids = random.Random(seed)
        self._moment = datetime(2018, 1, 1, tzinfo=timezone.utc)

    def on(self, day: date) -> None:
        self._moment = max(self._moment, datetime.combine(day, time(10), timezone.utc))

    def now(self) -> datetime:
        self._moment += timedelta(minutes=4)
        return self._moment

    def new_id(self) -> UUID:
        return UUID(int=self._ids.getrandbits(128), version=4)

    def clock(self) -> Clock:
        return Clock(now=self.now, new_id=self.new_id)


@dataclass
class Demo:
    """Writes the demo through the application, as real users would."""

    app: Coproduce
    actors: dict[str, Actor]
    hubs: dict[str, UUID]
    sessions: dict[str, UUID]  # each hub's latest session
    today: date  # the day the demo is loaded: its last chapter comes up to it
    issues: dict[str, UUID] = field(default_factory=dict)  # by title

    def person(self, username: str) -> UUID:
        return self.actors[username].account_id

    def raise_and_frame(self, hub: str, title: str, problem: str, affected: str, raised_by: str) -> UUID:
        issue = self.app.raise_issue(self.hubs[hub], title, self.actors[raised_by])
        self.app.frame(issue, problem, affected, self.manager(hub))
        self.issues[title] = issue
        return issue

    def manager(self, hub: str) -> Actor:
        for username, role, _, hubs, _ in PEOPLE:
            if role == Role.HUB_MANAGER and hub in hubs:
                return self.actors[username]
        raise KeyError(hub)

    def said(self, issue: UUID, expert: str, text: str, hub: str | None = None, quote: bool = True) -> UUID:
        """Input from an expert: online by themselves, or at a hub's session via the facilitator."""
        if hub:
            return self.app.record_contribution(
                issue, self.person(expert), text, self.actors["fran"], channel=Channel.IN_PERSON,
                may_quote=quote, attribution=Attribution.FIRST_NAME, session_id=self.sessions[hub])
        return self.app.record_contribution(issue, self.person(expert), text, self.actors[expert],
                                            channel=Channel.ONLINE, may_quote=quote,
                                            attribution=Attribution.ANONYMOUS)

    def select_and_explore(self, issue: UUID, hub: str, decision: str) -> None:
        manager = self.manager(hub)
        self.app.select(issue, decision, ParticipationLevel.CO_PRODUCTION, manager)
        self.app.advance_stage(issue, Stage.EXPLORE, "The problem was agreed with experts and chosen at the hub meeting",
                               ParticipationLevel.CO_PRODUCTION, manager)


def setting_up(d: Demo) -> Iterator[date]:
    """The hubs as they opened, their people as they joined, and every session on its day."""
    admin = d.actors["admin"]
    steps: list[tuple[date, int, Callable[[], None]]] = []
    for name, area, lifecycle, added, started in HUBS:
        def open_hub(name: str = name, area: str = area, lifecycle: HubLifecycle = lifecycle,
                     started: date | None = started) -> None:
            d.hubs[name] = d.app.create_hub(name, area, lifecycle, admin, opened_on=started)
            for username, role, _, member_of, _ in PEOPLE:  # people who were there before it opened
                if name in member_of and username in d.actors:
                    if role == Role.HUB_MANAGER:
                        d.app.assign_manager(d.hubs[name], d.person(username), admin)
                    else:
                        d.app.join_hub(d.person(username), d.hubs[name], admin)
        steps.append((added, 0, open_hub))
    for username, role, name, member_of, joined in PEOPLE:
        def join(username: str = username, role: Role = role, name: str = name, member_of: list = member_of) -> None:
            account_id = d.app.open_account(username, role, name, f"{username}@example.org", admin,
                                            password=DEMO_PASSWORD, hub_ids=[d.hubs[hub] for hub in member_of if hub in d.hubs])
            d.actors[username] = Actor(account_id, role)
        steps.append((joined, 1, join))
    for hub, held_on, place, fmt, experts, staff in SESSIONS:
        def hold(hub: str = hub, held_on: date = held_on, place: str = place, fmt: SessionFormat = fmt,
                 experts: int = experts, staff: int = staff) -> None:
            d.sessions[hub] = d.app.record_session(d.hubs[hub], d.manager(hub), held_on=held_on, place=place,
                                                   format=fmt, experts_attended=experts, staff_attended=staff)
        steps.append((held_on, 2, hold))
    for day, _, step in sorted(steps, key=lambda step: step[:2]):
        yield day
        step()


def tell(d: Demo, clock: StoryClock, stories: list[Callable[[Demo], Iterator[date]]]) -> None:
    """Tell every story at once, in the order of their days: each story yields the day its next
    steps happen on, and waits while the others catch up."""
    waiting = []
    for order, story in enumerate(stories):
        steps = story(d)
        heapq.heappush(waiting, (next(steps), order, steps))
    while waiting:
        day, order, steps = heapq.heappop(waiting)
        clock.on(day)
        following = next(steps, None)
        if following is not None:
            heapq.heappush(waiting, (following, order, steps))


def load_demo(app: Coproduce) -> bool:
    """Load the demo into a store (its first admin too, if `coproduce init` has not made one);
    False if it is already loaded."""
    from service.demo.stories import STORIES

    try:
        app.account_by_username("sam")
        return False
    except NotFound:
        pass
    clock = StoryClock()
    try:
        app.account_by_username("admin")
    except NotFound:
        with keeping(Clock(now=clock.now, new_id=lambda: ADMIN_ID)):
            app.register_first_admin("admin", "Administrator")
    admin = app.account_by_username("admin").as_actor()
    app.set_password(admin.account_id, DEMO_PASSWORD)
    with keeping(clock.clock()):
        tell(Demo(app, {"admin": admin}, {}, {}, datetime.now(timezone.utc).date()), clock, [setting_up, *STORIES])
    return True
