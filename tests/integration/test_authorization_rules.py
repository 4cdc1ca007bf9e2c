"""Who may do what, decided in the application whatever door a request came through."""

from __future__ import annotations

from datetime import date

import pytest

from domain import Attribution, Channel, NotAllowed, NotFound, Role, RuleBroken, Stage
from projections.audit_trail import UNNAMED_EXPERT_ACTS


@pytest.fixture
def other_hub(app, cast):
    admin = app.account(cast.admin_id).as_actor()
    hub = app.create_hub("Peterborough", "Peterborough", "active", admin)
    ids = {name: app.open_account(name, role, f"{name.title()} Other", "", admin, hub_ids=[hub])
           for name, role in [("priya", Role.HUB_MANAGER), ("kim", Role.EXPERT), ("maria", Role.ACTION_OWNER)]}
    issue = app.raise_issue(hub, "Bus passes for appointments", app.actor_for("kim"))
    return hub, ids, issue


def _issue_with_input(app, cast):
    issue = app.raise_issue(cast.hub, "Registering with a GP", cast.expert)
    contribution = app.record_contribution(issue, cast.ids["alex"], "They sent me away", cast.expert,
                                           channel=Channel.ONLINE, may_quote=True, attribution=Attribution.NAME)
    return issue, contribution


def test_an_action_can_only_be_given_to_an_owner_or_manager_of_the_issues_hub(app, cast, other_hub):
    issue, contribution = _issue_with_input(app, cast)
    _, ids, _ = other_hub
    for owner in (ids["maria"], ids["priya"], cast.ids["jo"], cast.ids["fran"]):
        with pytest.raises(RuleBroken, match="cannot own an action here"):
            app.commit_action(issue, "Ask the practice", owner, date(2030, 1, 1), [contribution], cast.manager)
    for owner in (cast.ids["nadia"], cast.ids["sam"]):
        app.commit_action(issue, "Ask the practice", owner, date(2030, 1, 1), [contribution], cast.manager)
    assert len(app.issue(issue).actions) == 2


def test_nobody_can_forget_themselves_nor_the_last_admin(app, cast):
    admin = app.account(cast.admin_id).as_actor()
    with pytest.raises(RuleBroken, match="nobody can forget themselves"):
        app.forget(cast.admin_id, "me", "my request", admin)
    second = app.open_account("ops", Role.ADMIN, "Ola Ops", "", admin)
    ops = app.account(second).as_actor()
    app.forget(second, "Ola", "her request", admin)  # another admin remains: allowed
    assert app.account(second).forgotten
    with pytest.raises(RuleBroken, match="last admin"):
        app.assign_role(cast.admin_id, Role.AUDITOR, admin)
    with pytest.raises(NotAllowed):
        app.forget(cast.admin_id, "them", "a request", ops)  # a forgotten admin can no longer act
    assert not app.account(cast.admin_id).forgotten


def test_an_unknown_issue_and_one_in_a_hub_you_cannot_see_are_refused_in_the_same_words(app, cast, other_hub):
    _, _, theirs = other_hub
    unknown = "6f1c1d7e-0000-4000-8000-000000000000"
    answers = []
    for issue_id in (theirs, unknown):
        with pytest.raises(NotFound) as refused:
            app.park(issue_id, "Not ours", cast.manager)
        answers.append(str(refused.value).replace(str(issue_id), "<id>"))
    assert answers[0] == answers[1] == "no issue with id <id>"


def test_the_read_models_status_is_for_auditors_and_admins(app, cast):
    app.open_account("avery", Role.AUDITOR, "Avery Quinn", "", app.account(cast.admin_id).as_actor())
    assert app.projections_status(app.actor_for("avery"))
    for who in (cast.expert, cast.manager, cast.facilitator):
        with pytest.raises(NotAllowed):
            app.projections_status(who)


def test_the_audit_trail_does_not_tie_an_experts_input_to_their_account(app, cast):
    issue, contribution = _issue_with_input(app, cast)
    app.withdraw_contribution(issue, contribution, cast.expert)
    auditor = app.actor_for("admin")
    rows = app.audit_trail(auditor, limit=1000, issue_id=str(issue))
    own = [r for r in rows if r["kind"] in UNNAMED_EXPERT_ACTS]
    assert len(own) == 2 and all(r["actor_id"] is None and r["actor_role"] == "expert" for r in own)
    assert not app.audit_trail(auditor, limit=1000, actor_id=str(cast.ids["alex"]), kind="ContributionRecorded")
    raised = next(r for r in rows if r["kind"] == "Raised")
    assert raised["actor_id"] == str(cast.ids["alex"])  # raising an issue is not input given in confidence


def test_commands_are_decided_by_the_table_whoever_calls_the_application(app, cast):
    issue, contribution = _issue_with_input(app, cast)
    jo = cast.actors["jo"]
    refusals = [lambda: app.park(issue, "Expert says so", cast.expert),
                lambda: app.withdraw_contribution(issue, contribution, jo),
                lambda: app.create_hub("Wisbech", "Fens", "planning", cast.expert),
                lambda: app.forget(cast.ids["sam"], "alex", "none", cast.expert),
                lambda: app.advance_stage(issue, Stage.EXPLORE, "Go", "co-production", cast.facilitator),
                lambda: app.all_accounts(cast.manager)]
    version = app.recorder.max_notification_id()
    for refused in refusals:
        with pytest.raises(NotAllowed):
            refused()
    assert app.recorder.max_notification_id() == version  # nothing recorded by any refusal
