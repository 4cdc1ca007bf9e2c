"""Control characters in what people write: refused at every door, naming the field, nothing
recorded; and an event that holds one (recorded before they were refused) stops no view, on
SQLite or PostgreSQL, whose text columns refuse NUL."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from click.testing import CliRunner

import domain.clock
from domain import RuleBroken
from domain.text import NO_CONTROL_CHARACTERS, SOMETHING_TO_READ
from service.cli.main import cli
from tests.e2e.doors import OpenContext
from tests.e2e.test_door_parity import _signed_in, _world, doors  # noqa: F401 - `doors` is a fixture

NUL, ESCAPE = "\x00", "\x1b[2J"  # the second clears a terminal that shows it
RULE = "must not contain control characters"

# (who, field, API method and path, API body, web path and form, command line) with {issue}, {hub},
# {contribution} and {action} filled in from the world; the bad text goes where BAD stands.
BAD = "<BAD>"
CASES = [
    ("hub_manager", "title", ("POST", "/api/v1/issues/{issue}/title", {"title": f"A GP {BAD}"}),
     ("/issues/{issue}/rename", {"title": f"A GP {BAD}"}), ["rename", "{issue}", f"A GP {BAD}"]),
    ("hub_manager", "affected", ("POST", "/api/v1/issues/{issue}/framing", {"problem": "No GP", "affected": f"All {BAD}"}),
     ("/issues/{issue}/frame", {"problem": "No GP", "affected": f"All {BAD}"}),
     ["frame", "{issue}", "--problem", "No GP", "--affected", f"All {BAD}"]),
    ("action_owner", "note", ("POST", "/api/v1/issues/{issue}/actions/{action}/progress", {"note": f"Met {BAD}"}),
     ("/issues/{issue}/progress", {"action_id": "{action}", "note": f"Met {BAD}"}),
     ["progress", "{issue}", "{action}", f"Met {BAD}"]),
    ("expert", "text", ("POST", "/api/v1/issues/{issue}/contributions/{contribution}/correction",
                        {"text": f"my words {BAD}"}),
     ("/issues/{issue}/input/{contribution}/correct", {"text": f"my words {BAD}"}),
     ["correct", "{issue}", "{contribution}", "--text", f"my words {BAD}"]),
    ("admin", "name", ("POST", "/api/v1/hubs", {"name": f"Wisbech {BAD}", "area": "Fens", "lifecycle": "planning"}),
     ("/admin/hubs/new", {"name": f"Wisbech {BAD}", "area": "Fens", "lifecycle": "planning"}),
     ["add-hub", f"Wisbech {BAD}", "--area", "Fens", "--lifecycle", "planning"]),
]


def _filled(value, world, bad: str):
    if isinstance(value, dict):
        return {key: _filled(item, world, bad) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, world, bad) for item in value]
    return value.replace(BAD, bad).format(issue=world.issues["own"], hub=world.hubs["own"],
                                          contribution=world.contributions["own"], action=world.actions["own"])


def _log_head(world) -> int:
    return world.app.recorder.max_notification_id() or 0


@pytest.fixture
def world(doors):  # noqa: F811 - the fixture imported above
    return _world(doors.extensions["coproduce"], doors.test_client())


def test_the_api_refuses_control_characters_naming_the_field(world):
    for who, field, api, _, _ in CASES:
        for bad in (NUL, ESCAPE):
            method, path, body = _filled(list(api), world, bad)
            before = _log_head(world)
            answer = world.call(who, method, path, json=body)
            assert answer.status_code == 422, (who, field, bad, answer.text)
            assert answer.headers["Content-Type"] == "application/problem+json"
            assert any(RULE in message for message in answer.json["errors"][field]), (field, answer.json)
            assert _log_head(world) == before, (who, field, bad)


def test_the_web_forms_refuse_control_characters_naming_the_field(world):
    clients = {}
    for who, field, _, web, _ in CASES:
        client = clients.get(who) or clients.setdefault(who, _signed_in(world, who))
        for bad in (NUL, ESCAPE):
            path, form = _filled(list(web), world, bad)
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-out").text).group(1)
            version = {"version": world.app.issue(world.issues["own"]).version} if "/issues/" in path else {}
            before = _log_head(world)
            answer = client.post(path, data={**form, "csrf_token": token, **version})
            assert answer.status_code < 500, answer.text
            assert f"{field} {RULE}" in answer.text.lower(), (who, field, bad)  # the page capitalises it
            assert _log_head(world) == before, (who, field, bad)


def test_the_command_line_refuses_control_characters_naming_the_field(world):
    OpenContext.shared = world.app
    for who, field, _, _, command in CASES:
        before = _log_head(world)
        result = CliRunner().invoke(cli, [*_filled(command, world, ESCAPE), "--as", who], catch_exceptions=False)
        assert result.exit_code == 1, result.output
        assert f"{field} {RULE}" in result.output and "Traceback" not in result.output
        assert "\x1b" not in result.output  # the refusal does not echo the escape back into the terminal
        assert _log_head(world) == before, (who, field)


def test_a_query_string_with_a_control_character_is_refused_naming_the_field(world):
    answer = world.call("expert", "GET", f"/api/v1/issues/{world.issues['own']}/timeline?kind=Renamed%00")
    assert answer.status_code == 422, answer.text
    assert any(RULE in message for message in answer.json["errors"]["kind"])


def test_the_document_gives_the_rule_to_text_sent_in_and_not_to_text_answered(world):
    document = world.call(None, "GET", "/api/v1/openapi.json").json
    schemas = document["components"]["schemas"]
    assert schemas["RenameIn"]["properties"]["title"]["pattern"] == SOMETHING_TO_READ  # text that must be given
    assert schemas["ContributionIn"]["properties"]["text"]["pattern"] == SOMETHING_TO_READ
    timeline = document["paths"]["/api/v1/issues/{issue_id}/timeline"]["get"]["parameters"]
    assert next(p for p in timeline if p["name"] == "kind")["schema"]["pattern"] == NO_CONTROL_CHARACTERS
    # an answer may show text recorded before the rule
    assert "pattern" not in schemas["IssueOut"]["properties"]["title"]
    assert "pattern" not in schemas["TimelineEntryOut"]["properties"]["what"]


def test_tab_and_new_lines_are_ordinary_text(world):
    answer = world.call("action_owner", "POST",
                        f"/api/v1/issues/{world.issues['own']}/actions/{world.actions['own']}/progress",
                        json={"note": "Met the practice.\r\nNext:\tthe council."})
    assert answer.status_code == 200, answer.text


def test_an_event_recorded_with_nul_before_it_was_refused_stops_no_view(world, monkeypatch):
    # given a title with NUL, recorded as an earlier release could
    app, issue_id = world.app, world.issues["own"]
    manager = app.actor_for("hub_manager")
    with pytest.raises(RuleBroken):
        app.rename_issue(issue_id, "Seeing a GP\x00 with no address", manager)
    monkeypatch.setattr(domain.clock, "refuse_control_characters", lambda fields: None)
    app.rename_issue(issue_id, "Seeing a GP\x00 with no address", manager)
    monkeypatch.undo()
    # when the views catch up with it, and are rebuilt from the whole log
    app.projections.catch_up()
    caught_up = app.timeline(issue_id, manager)
    app.projections.rebuild()
    # then every view applied it, with U+FFFD where the NUL was; the log keeps what was recorded
    assert not any(row["lag"] for row in app.projections.status())
    for timeline in (caught_up, app.timeline(issue_id, manager)):
        assert timeline[-1]["what"] == "renamed the issue to “Seeing a GP\ufffd with no address”"
    assert app.issue(UUID(str(issue_id))).title == "Seeing a GP\x00 with no address"


def _renamed_as_an_earlier_release_could(world, title: str):
    """The world's own issue renamed to `title`, control characters and all, as before they were refused."""
    app, issue_id = world.app, world.issues["own"]
    with pytest.MonkeyPatch.context() as earlier_release:
        earlier_release.setattr(domain.clock, "refuse_control_characters", lambda fields: None)
        app.rename_issue(issue_id, title, app.actor_for("hub_manager"))
    app.projections.catch_up()
    return app, issue_id


def test_the_command_line_shows_control_characters_recorded_before_the_rule_and_never_sends_them(world):
    # given a title with an escape sequence and a bell, recorded as an earlier release could
    app, issue_id = _renamed_as_an_earlier_release_could(world, "Seeing a GP\x1b[2J\x07 now")
    OpenContext.shared = app
    # when the command line shows the issue, its history and the list of issues
    for command in (["show", str(issue_id)], ["history", str(issue_id)], ["issues"]):
        result = CliRunner().invoke(cli, [*command, "--as", "hub_manager"], catch_exceptions=False)
        # then the terminal gets the characters' pictures, not the characters
        assert result.exit_code == 0, result.output
        assert "Seeing a GP\u241b[2J\u2407 now" in result.output, (command, result.output)
        assert "\x1b" not in result.output and "\x07" not in result.output, command


def test_pages_show_control_characters_recorded_before_the_rule_as_pictures(world):
    # given a title with a direction override and an escape, recorded as an earlier release could
    _, issue_id = _renamed_as_an_earlier_release_could(world, "Seeing a GP \u202eafter six\x1b now")
    client = _signed_in(world, "hub_manager")
    # when the issue's page, its history and the hub's list of issues are shown
    for path in (f"/issues/{issue_id}", f"/issues/{issue_id}/history", f"/hubs/{world.hubs['own']}"):
        page = client.get(path)
        # then each shows the characters' pictures, in the title of the page too, never the characters
        assert page.status_code == 200, path
        assert "Seeing a GP [U+202E]after six\u241b now" in page.text, path
        assert "\u202e" not in page.text and "\x1b" not in page.text, path
    assert "<title>Seeing a GP [U+202E]after six" in client.get(f"/issues/{issue_id}").text


def test_text_with_nothing_to_read_is_refused_at_each_door_naming_the_field(world):
    nothing = "\u200b\ufeff\u200f"
    before = _log_head(world)
    answer = world.call("hub_manager", "POST", f"/api/v1/issues/{world.issues['own']}/title", json={"title": nothing})
    assert answer.status_code == 422, answer.text
    assert answer.json["errors"]["title"] == ["must have something to read in it, not only spaces or invisible characters"]
    client = _signed_in(world, "hub_manager")
    page = client.get(f"/issues/{world.issues['own']}/rename").text
    form = {"title": nothing, "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "version": re.search(r'name="version" value="(\d+)"', page).group(1)}
    refused = client.post(f"/issues/{world.issues['own']}/rename", data=form)
    assert refused.status_code == 422 and "must have something to read in it" in refused.text
    OpenContext.shared = world.app
    said = CliRunner().invoke(cli, ["rename", str(world.issues["own"]), nothing, "--as", "hub_manager"])
    assert said.exit_code != 0 and "title" in said.output and "Traceback" not in said.output
    assert _log_head(world) == before
