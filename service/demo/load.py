"""The demo: the five hubs of the Cambridgeshire roll-out, with issues at every stage.

Hub names, start dates and stages follow the hubs' own progress report (2023); the
people are invented and every issue is written for this demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from domain import Actor, Attribution, Channel, HubLifecycle, NotFound, ParticipationLevel, Role, SessionFormat, Stage
from service.app.coproduce import Coproduce

DEMO_PASSWORD = "coproduce-demo"  # every demo account's password: for trying Coproduce only

HUBS = [
    ("Cambridge & South", "Cambridge and South Cambridgeshire", HubLifecycle.ESTABLISHED),
    ("Peterborough", "Peterborough", HubLifecycle.ACTIVE),
    ("East Cambs", "Ely, Littleport and East Cambridgeshire", HubLifecycle.ACTIVE),
    ("Wisbech", "Wisbech and Fenland", HubLifecycle.PLANNING),
    ("Huntingdon", "Huntingdonshire", HubLifecycle.PRE_PLANNING),
]

# username, role, display name, hubs
PEOPLE = [
    ("auditor", Role.AUDITOR, "Avery Quinn", []),
    ("sam", Role.HUB_MANAGER, "Sam Okafor", ["Cambridge & South", "Huntingdon"]),
    ("priya", Role.HUB_MANAGER, "Priya Natarajan", ["Peterborough"]),
    ("tom", Role.HUB_MANAGER, "Tom Bright", ["East Cambs", "Wisbech"]),
    ("fran", Role.FACILITATOR, "Fran Mills", ["Cambridge & South", "Peterborough", "East Cambs"]),
    ("alex", Role.EXPERT, "Alex Reid", ["Cambridge & South"]),
    ("jo", Role.EXPERT, "Jo Carter", ["Cambridge & South", "Huntingdon"]),
    ("kim", Role.EXPERT, "Kim Hale", ["Peterborough"]),
    ("lee", Role.EXPERT, "Lee Brennan", ["East Cambs"]),
    ("rob", Role.EXPERT, "Rob Ashby", ["Cambridge & South"]),
    ("dr.shah", Role.ACTION_OWNER, "Dr Nadia Shah", ["Cambridge & South"]),
    ("maria", Role.ACTION_OWNER, "Maria Lopes", ["Cambridge & South", "Peterborough"]),
]

SESSIONS = [
    ("Cambridge & South", date(2023, 9, 12), "Cambridge community centre", SessionFormat.MEETING, 14, 6),
    ("Peterborough", date(2023, 6, 20), "Peterborough library", SessionFormat.DROP_IN, 9, 2),
    ("East Cambs", date(2023, 9, 26), "Ely", SessionFormat.MEETING, 2, 3),
    ("Wisbech", date(2023, 11, 8), "Wisbech (with local services)", SessionFormat.MEETING, 0, 5),
]


@dataclass
class Demo:
    """Writes the demo through the application, as real users would."""

    app: Coproduce
    actors: dict[str, Actor]
    hubs: dict[str, UUID]
    sessions: dict[str, UUID]

    def person(self, username: str) -> UUID:
        return self.actors[username].account_id

    def raise_and_frame(self, hub: str, title: str, problem: str, affected: str, raised_by: str) -> UUID:
        issue = self.app.raise_issue(self.hubs[hub], title, self.actors[raised_by])
        self.app.frame(issue, problem, affected, self.manager(hub))
        return issue

    def manager(self, hub: str) -> Actor:
        for username, role, _, hubs in PEOPLE:
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
        self.app.advance_stage(issue, Stage.EXPLORE, "Framed with experts and chosen at the hub meeting",
                               ParticipationLevel.CO_PRODUCTION, manager)


def build_demo(app: Coproduce) -> Demo:
    admin = app.account_by_username("admin").as_actor()
    app.set_password(admin.account_id, DEMO_PASSWORD)
    hubs = {name: app.create_hub(name, area, stage, admin) for name, area, stage in HUBS}
    actors = {"admin": admin}
    for username, role, name, member_of in PEOPLE:
        account_id = app.open_account(username, role, name, f"{username}@example.org", admin,
                                      password=DEMO_PASSWORD, hub_ids=[hubs[hub] for hub in member_of])
        actors[username] = Actor(account_id, role)
    demo = Demo(app, actors, hubs, {})
    for hub, held_on, place, fmt, experts, staff in SESSIONS:
        demo.sessions[hub] = app.record_session(
            hubs[hub], demo.manager(hub), held_on=held_on, place=place, format=fmt,
            experts_attended=experts, staff_attended=staff)
    return demo


def load_demo(app: Coproduce) -> bool:
    """Load the demo into a store (its first admin too, if `coproduce init` has not made one);
    False if it is already loaded."""
    from service.demo.stories import STORIES

    try:
        app.account_by_username("sam")
        return False
    except NotFound:
        pass
    try:
        app.account_by_username("admin")
    except NotFound:
        app.register_first_admin("admin", "Administrator")
    story = build_demo(app)
    for tell in STORIES:
        tell(story)
    return True
