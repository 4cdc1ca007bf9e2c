"""Is this what you said? Through the API: a person confirms or corrects what was written down for
them; everyone else, withdrawn input, a closed issue and bad input are refused, and change nothing."""

from __future__ import annotations

import re

import pytest

from domain import Attribution, Channel
from tests.e2e.conftest import PASSWORD

WRONG, RIGHT = "The bus pass ran out in May", "The bus pass ran out in March, not May"


@pytest.fixture
def written(world):
    """Input the facilitator wrote down for the expert at the own hub's session."""
    app = world.app
    return app.record_contribution(world.issues["own"], world.ids["expert"], WRONG, app.actor_for("facilitator"),
                                   channel=Channel.IN_PERSON, may_quote=True, attribution=Attribution.NAME,
                                   session_id=world.sessions["own"])


def _path(world, contribution, what: str, hub: str = "own") -> str:
    return f"/api/v1/issues/{world.issues[hub]}/contributions/{contribution}/{what}"


def _head(world) -> int:
    return world.app.recorder.max_notification_id()


def test_the_expert_corrects_what_was_written_down_and_the_issue_shows_their_words(world, written):
    answer = world.call("expert", "POST", _path(world, written, "correction"), json={"text": RIGHT})
    assert answer.status_code == 200, answer.text
    for viewer in ("hub_manager", "facilitator", "auditor"):
        issue = world.call(viewer, "GET", f"/api/v1/issues/{world.issues['own']}").json
        seen = next(c for c in issue["contributions"] if c["id"] == str(written))
        assert (seen["text"], seen["corrected"]) == (RIGHT, True)
    history = world.call("hub_manager", "GET", f"/api/v1/issues/{world.issues['own']}/history").json
    assert history[-1]["what"] == "corrected the words of a contribution" and WRONG not in str(history)
    mine = world.call("expert", "GET", "/api/v1/me/input").json
    story = next(s for s in mine if s["contribution_id"] == str(written))
    assert (story["text"], story["awaits_confirmation"], story["corrected"]) == (RIGHT, False, True)


def test_the_expert_confirms_what_was_written_down_once(world, written):
    mine = world.call("expert", "GET", "/api/v1/me/input").json
    assert next(s for s in mine if s["contribution_id"] == str(written))["awaits_confirmation"]
    assert world.call("expert", "POST", _path(world, written, "confirmation"), json={}).status_code == 200
    again = world.call("expert", "POST", _path(world, written, "confirmation"), json={})
    assert again.status_code == 409 and "already been confirmed" in again.json["detail"]


@pytest.mark.parametrize("who, status", [("expert2", 404), ("facilitator", 403), ("hub_manager", 403),
                                         ("admin", 403), (None, 401)])
def test_nobody_else_may_correct_confirm_or_change_consent(world, written, who, status):
    before = _head(world)
    for what, body in (("correction", {"text": RIGHT}), ("confirmation", {}),
                       ("consent", {"may_quote": False, "attribution": "anonymous"})):
        assert world.call(who, "POST", _path(world, written, what), json=body).status_code == status
    assert _head(world) == before


def test_withdrawn_input_and_a_closed_issues_input_are_refused_with_the_reason(world, written):
    world.app.withdraw_contribution(world.issues["own"], written, world.app.actor_for("expert"))
    before = _head(world)
    answer = world.call("expert", "POST", _path(world, written, "correction"), json={"text": RIGHT})
    assert answer.status_code == 409 and "has been withdrawn" in answer.json["detail"]
    assert _head(world) == before


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "x" * 5001}, {}, {"text": RIGHT, "extra": 1},
                                  {"text": ["a list"]}])
def test_bad_corrections_are_422_and_change_nothing(world, written, body):
    before = _head(world)
    answer = world.call("expert", "POST", _path(world, written, "correction"), json=body)
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert _head(world) == before


def test_markup_and_odd_unicode_in_a_correction_are_kept_as_words(world, written):
    odd = "<script>alert(1)</script> \u200f café 𝒜 \u0627\u0644\u0628\u0627\u0635"  # a direction mark, right-to-left words
    assert world.call("expert", "POST", _path(world, written, "correction"), json={"text": odd}).status_code == 200
    same = world.call("expert", "POST", _path(world, written, "correction"), json={"text": odd})
    assert same.status_code == 409 and "already recorded" in same.json["detail"]
    issue = world.call("hub_manager", "GET", f"/api/v1/issues/{world.issues['own']}").json
    assert next(c for c in issue["contributions"] if c["id"] == str(written))["text"] == odd.strip()


def test_a_stale_version_is_refused(world, written):
    answer = world.call("expert", "POST", _path(world, written, "correction"), json={"text": RIGHT},
                        headers={"If-Match": '"1"'})
    assert answer.status_code in (409, 412)


def _signed_in(world, person: str = "expert"):
    client = world.client.application.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    client.post("/sign-in", data={"username": person, "password": PASSWORD, "csrf_token": token})
    return client


def test_the_web_asks_is_this_right_and_takes_a_correction(world, written):
    client = _signed_in(world)
    page = client.get("/my-input").text
    assert "Written down by Facilitator Person at Own hub — is this right?" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = client.get(f"/issues/{world.issues['own']}/input/{written}/correct")
    assert WRONG in form.text
    blank = client.post(f"/issues/{world.issues['own']}/input/{written}/correct", data={"text": " ", "csrf_token": token})
    assert blank.status_code == 422 and "Answer the question: What did you want to say?" in blank.text
    done = client.post(f"/issues/{world.issues['own']}/input/{written}/correct", data={"text": RIGHT, "csrf_token": token})
    assert done.status_code == 303
    page = client.get("/my-input").text
    assert RIGHT in page and "is this right?" not in page and "Corrected by you" in page


@pytest.mark.parametrize("who, status", [("hub_manager", 403), ("facilitator", 403), ("expert2", 404)])
def test_the_correction_forms_are_not_offered_to_anyone_else(world, written, who, status):
    world.app.set_password(world.ids[who], PASSWORD)
    client = _signed_in(world, who)
    for form in ("correct", "consent"):
        assert client.get(f"/issues/{world.issues['own']}/input/{written}/{form}").status_code == status


def test_the_web_changes_consent_and_every_page_follows(world, written):
    client = _signed_in(world)
    path = f"/issues/{world.issues['own']}/input/{written}/consent"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)
    assert client.post(path, data={"may_quote": "no", "attribution": "anonymous", "csrf_token": token}).status_code == 303
    issue = world.call("action_owner", "GET", f"/api/v1/issues/{world.issues['own']}").json
    seen = next(c for c in issue["contributions"] if c["id"] == str(written))
    assert (seen["text"], seen["contributor"]) == (None, "an expert who asked not to be named")
    again = client.post(path, data={"may_quote": "no", "attribution": "anonymous", "csrf_token": token})
    assert again.status_code == 422 and "already what you agreed to" in again.text
