"""The people read models on SQLite and PostgreSQL: the actions a person owns, the people of a hub,
the accounts list; what a forget hides; and that a rebuild gives the same rows."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from domain import Role
from projections import hub_people, owned_actions
from projections.times import now
from tests.integration.test_store import say

PEOPLE_VIEWS = ("owned_actions", "hub_people")


def rows_of(app, views=PEOPLE_VIEWS) -> dict[str, list]:
    """Every row of the people views' tables, in a stable order."""
    found = {}
    with app.engine.connect() as conn:
        for view in (owned_actions.view, hub_people.view):
            if view.name in views:
                for table in view.metadata.sorted_tables:
                    found[table.name] = sorted(tuple(map(str, row)) for row in conn.execute(select(table)))
    return found


def usernames(people) -> list[str]:
    return [person.username for person in people]


def actions_for_nadia(app, cast):
    """Three actions owned by nadia (one overdue, one done, one dropped) and one owned by sam."""
    m, nadia = cast.manager, cast.actors["nadia"]
    issue = app.raise_issue(cast.hub, "Registering with a GP", cast.expert)
    said = say(app, cast, issue)
    today = now().date()
    late = app.commit_action(issue, "Brief receptions", cast.ids["nadia"], today - timedelta(days=3), [said], m)
    app.report_progress(issue, late, "Two of five practices briefed", nadia)
    app.report_progress(issue, late, "Three of five practices briefed", nadia)
    done = app.commit_action(issue, "Print the leaflet", cast.ids["nadia"], today + timedelta(days=30), [said], m)
    app.complete_action(issue, done, "Printed", nadia)
    dropped = app.commit_action(issue, "Write to the minister", cast.ids["nadia"], today + timedelta(days=9),
                                [said], m)
    app.drop_action(issue, dropped, "Another group does this", m)
    app.commit_action(issue, "Chair the review", cast.ids["sam"], date(2031, 1, 1), [said], m)
    return issue, late, done, dropped


def test_the_actions_a_person_owns_are_theirs_with_issue_due_status_and_latest_note(app, cast):
    # given
    issue, late, done, dropped = actions_for_nadia(app, cast)
    # when
    mine = app.actions_owned(cast.actors["nadia"])
    # then
    assert [a["action_id"] for a in mine] == [late, dropped, done]  # open and overdue first, then by due date
    first = mine[0]
    assert first["issue_id"] == issue and first["issue_title"] == "Registering with a GP"
    assert first["hub_id"] == cast.hub and first["status"] == "open" and first["overdue"]
    assert first["last_progress"] == "Three of five practices briefed"
    assert [(a["status"], a["overdue"]) for a in mine[1:]] == [("dropped", False), ("completed", False)]
    assert [a["title"] for a in app.actions_owned(cast.manager)] == ["Chair the review"]
    assert app.actions_owned(cast.expert) == []


def test_the_people_of_a_hub_are_its_members_by_role_in_the_order_registered(app, cast):
    # given
    issue = app.raise_issue(cast.hub, "Registering with a GP", cast.expert)
    admin = app.account(cast.admin_id).as_actor()
    # when / then
    assert usernames(app.hub_experts(cast.hub, cast.facilitator)) == ["alex", "jo"]
    assert usernames(app.possible_owners(issue, cast.manager)) == ["sam", "nadia"]
    everyone = app.all_accounts(admin)
    assert usernames(everyone) == ["admin", "sam", "alex", "jo", "fran", "nadia"]
    assert [(p.role, p.hub_ids, p.forgotten) for p in everyone[:2]] == [
        (Role.ADMIN, [], False), (Role.HUB_MANAGER, [str(cast.hub)], False)]
    with app.engine.connect() as conn:
        sam = conn.execute(select(hub_people.members).where(
            hub_people.members.c.account_id == str(cast.ids["sam"]))).one()
    assert (sam.hub_id, sam.role, sam.joined, sam.manages) == (str(cast.hub), "hub_manager", True, True)


def test_a_new_role_moves_a_person_between_the_forms_lists(app, cast):
    # given
    issue = app.raise_issue(cast.hub, "Registering with a GP", cast.expert)
    admin = app.account(cast.admin_id).as_actor()
    # when
    app.assign_role(cast.ids["jo"], Role.ACTION_OWNER, admin)
    # then
    assert usernames(app.hub_experts(cast.hub, cast.facilitator)) == ["alex"]
    assert usernames(app.possible_owners(issue, cast.manager)) == ["sam", "jo", "nadia"]


def test_a_forgotten_person_is_in_no_hubs_list_and_marked_in_the_accounts_list(app, cast):
    # given
    issue = app.raise_issue(cast.hub, "Registering with a GP", cast.expert)
    admin = app.account(cast.admin_id).as_actor()
    # when
    app.forget(cast.ids["alex"], "Alex, by email", "UK GDPR Article 17", admin)
    app.forget(cast.ids["nadia"], "Nadia, in person", "UK GDPR Article 17", admin)
    # then
    assert usernames(app.hub_experts(cast.hub, cast.facilitator)) == ["jo"]
    assert usernames(app.possible_owners(issue, cast.manager)) == ["sam"]
    forgotten = {p.username: p.forgotten for p in app.all_accounts(admin)}
    assert forgotten == {"admin": False, "sam": False, "alex": True, "jo": False, "fran": False, "nadia": True}


def test_a_rebuild_gives_the_same_rows(app, cast):
    # given
    actions_for_nadia(app, cast)
    admin = app.account(cast.admin_id).as_actor()
    app.assign_role(cast.ids["jo"], Role.FACILITATOR, admin)
    app.forget(cast.ids["alex"], "Alex, by email", "UK GDPR Article 17", admin)
    before = rows_of(app)
    assert all(before.values())
    # when
    app.projections.rebuild(list(PEOPLE_VIEWS))
    # then
    assert rows_of(app) == before
