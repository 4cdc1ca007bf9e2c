"""The web offers the forms the domain's workflow allows now, and each POST is decided by the
application, never by a list in the web layer."""

from __future__ import annotations

import re

import pytest

from domain import Attribution, Channel, Role, Stage
from service import create_app

PASSWORD = "correct horse battery"


@pytest.fixture
def site(tmp_path):
    flask_app = create_app({"database_url": f"sqlite:///{tmp_path}/web.db", "rate_limit": "100000 per minute",
                            "sign_in_limit": "100000 per minute"})
    flask_app.config["SESSION_COOKIE_SECURE"] = False
    app = flask_app.extensions["coproduce"]
    admin = app.account(app.register_first_admin("admin", "Ada Admin")).as_actor()
    hub = app.create_hub("Cambridge & South", "Cambridge", "established", admin)
    for name, role in [("sam", Role.HUB_MANAGER), ("alex", Role.EXPERT), ("nadia", Role.ACTION_OWNER)]:
        app.open_account(name, role, f"{name.title()} Example", "", admin, password=PASSWORD, hub_ids=[hub])
    issue = app.raise_issue(hub, "Registering with a GP", app.actor_for("alex"))
    app.record_contribution(issue, app.actor_for("alex").account_id, "They sent me away", app.actor_for("alex"),
                            channel=Channel.ONLINE, may_quote=True, attribution=Attribution.NAME)
    yield flask_app, app, issue
    app.close()


def _signed_in(flask_app, username):
    client = flask_app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    assert client.post("/sign-in", data={"username": username, "password": PASSWORD,
                                         "csrf_token": token}).status_code == 303
    return client


def _post(client, path, form, version):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)
    return client.post(path, data={**form, "csrf_token": token, "version": version})


def test_an_action_can_be_committed_while_the_issue_is_in_frame_as_the_domain_allows(site):
    flask_app, app, issue = site
    sam = _signed_in(flask_app, "sam")
    assert app.issue(issue).stage == Stage.FRAME
    page = sam.get(f"/issues/{issue}")
    # the page offers the forms of the stage first (actions from Act, learning in Learn) ...
    assert "Commit an action" not in page.text and "Record learning" not in page.text
    # ... but the domain's rules are unchanged: the form at its address still commits one in Frame
    nadia = str(app.actor_for("nadia").account_id)
    said = next(iter(app.issue(issue).contributors))
    answer = _post(sam, f"/issues/{issue}/action", {"title": "Ask the practice", "owner_id": nadia,
                                                    "due": "2031-01-01", "contribution_ids": said},
                   app.issue(issue).version)
    assert answer.status_code == 303
    assert [a.title for a in app.issue(issue).actions.values()] == ["Ask the practice"]


def test_moving_back_offers_every_earlier_stage_and_the_domain_decides_the_move(site):
    flask_app, app, issue = site
    sam_actor = app.actor_for("sam")
    app.frame(issue, "No address, no GP", "People without a fixed address", sam_actor)
    app.select(issue, "Chosen at the hub meeting", "co-production", sam_actor)
    app.advance_stage(issue, Stage.EXPLORE, "Framed with experts", "co-production", sam_actor)
    sam = _signed_in(flask_app, "sam")
    form = sam.get(f"/issues/{issue}/move-back").text
    assert 'value="frame"' in form and 'value="act"' not in form
    answer = _post(sam, f"/issues/{issue}/move-back", {"to": "act", "reason": "Try", "level": "consultation"},
                   app.issue(issue).version)
    assert answer.status_code == 422 and "Act is not before Explore" in answer.text
    assert app.issue(issue).stage == Stage.EXPLORE
    answer = _post(sam, f"/issues/{issue}/move-back", {"to": "frame", "reason": "Look again",
                                                       "level": "consultation"}, app.issue(issue).version)
    assert answer.status_code == 303 and app.issue(issue).stage == Stage.FRAME


def test_an_expert_cannot_post_a_managers_form_even_if_it_was_never_offered(site):
    flask_app, app, issue = site
    alex = _signed_in(flask_app, "alex")
    assert "Park the issue" not in alex.get(f"/issues/{issue}").text
    version = app.issue(issue).version
    token = re.search(r'name="csrf_token" value="([^"]+)"', alex.get("/sign-out").text).group(1)
    answer = alex.post(f"/issues/{issue}/park", data={"reason": "Me", "csrf_token": token, "version": version})
    assert answer.status_code == 403
    assert app.issue(issue).version == version


@pytest.mark.parametrize(("message", "tipped"), [
    ("We asked the practice. They will see you without proof of address now.", False),
    ("Subsequent to extensive multi-agency deliberation, the commissioning organisation determined that "
     "registration eligibility documentation requirements necessitate comprehensive reconsideration.", True),
])
def test_feedback_that_reads_hard_is_recorded_with_a_gentle_tip(site, message, tipped):
    flask_app, app, issue = site
    sam = _signed_in(flask_app, "sam")
    said = next(iter(app.issue(issue).contributors))
    # when
    answer = _post(sam, f"/issues/{issue}/feedback", {"message": message, "contribution_ids": said},
                   app.issue(issue).version)
    # then: recorded either way; the tip only when it reads hard
    assert answer.status_code == 303 and [f.message for f in app.issue(issue).feedback.values()] == [message]
    assert ("may be hard for some people to read" in sam.get(answer.location).text) is tipped
