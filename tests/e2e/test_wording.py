"""Lines the pages and the command line say, read as their reader takes them: plain, correct English, to
the person it is said to (pages on the demo through Flask's test client; commands through click's CliRunner)."""

from __future__ import annotations

import html
import re
import signal
from datetime import datetime, timedelta
from uuid import UUID

import pytest
from click.testing import CliRunner

from domain.clock import now
from service.cli.main import cli
from tests.e2e.doors import OpenContext
from tests.e2e.test_web import signed_in, site, token_on  # noqa: F401  (fixture)


def rows(page: str) -> list[str]:
    """Each row of the page's tables, its cells joined by " | ", as text."""
    found = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S):
        cells = [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", cell))).strip()
                 for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.S)]
        found.append(" | ".join(cells))
    return found


def hub_of(site, username: str) -> str:  # noqa: F811 - `site` is the fixture's application
    coproduce = site.extensions["coproduce"]
    return coproduce.board_hubs(coproduce.actor_for(username))[0].hub_id


def test_my_data_says_each_line_to_the_person_themselves(site):  # noqa: F811
    page = signed_in(site, "alex").get("/my-data").text
    happened = [row.split(" | ", 1)[1] for row in rows(page) if row.count(" | ") == 2][1:]  # after the header
    assert "you | gave input. It may be quoted." in happened
    assert "Fran Mills | wrote down what you said at a meeting. It may be quoted." in happened
    assert "Administrator | Your account was given its username" in happened
    assert "– | We began keeping how you want to hear from us" in happened
    assert "you | A copy of your data was made" in happened
    assert "You are still waiting to hear back about it." in page
    for old in ("They said", "They asked", "what you said. ", "Username taken", "Began choosing",
                "Copy of a person's data", "waits for feedback"):
        assert old not in page, old


def test_input_its_giver_wrote_down_reads_as_given_on_an_issue_s_history(site):  # noqa: F811
    coproduce, alex = site.extensions["coproduce"], signed_in(site, "alex")
    reader = coproduce.actor_for("alex")
    said = []
    for hub in coproduce.board_hubs(reader):
        for issue in coproduce.board_issues(UUID(hub.hub_id), reader):
            page = html.unescape(alex.get(f"/issues/{issue.issue_id}/history").text)
            said += [" ".join(re.sub(r"<[^>]+>", "", line).split())
                     for line in re.findall(r"<strong>.*?</p>", page, flags=re.S)]
    assert "an expert who asked not to be named (expert) gave input. It may be quoted." in said
    assert "Alex Reid (expert) gave input. It is not to be quoted." in said
    assert "Fran Mills (facilitator) wrote down what Jo said at a meeting. It may be quoted." in said
    assert not [line for line in said if "wrote down what an expert who asked not to be named said" in line
                and line.startswith("an expert who asked not to be named")]
    assert not [line for line in said if "They said" in line or "They asked" in line]


def test_the_audit_trail_names_no_role_where_an_event_has_none(site):  # noqa: F811
    page = signed_in(site, "auditor").get("/audit?kind=Started").text
    shown = rows(page)[1:]
    assert shown and all(row.split(" | ")[3] == "Who –" for row in shown), shown[:3]
    assert "– ()" not in page


def test_input_written_down_at_a_session_is_said_on_the_session_s_day(site):  # noqa: F811
    page = " ".join(html.unescape(signed_in(site, "alex").get("/my-input").text).split())
    day = r"\d{1,2} [A-Z][a-z]+ \d{4}"
    at_session = re.findall(rf"You said this at a meeting in Cambridge community centre on ({day}) "
                            rf"\(written down by Fran Mills(?: on ({day}))?\)\.", page)
    days = [[datetime.strptime(d, "%d %B %Y") for d in pair if d] for pair in at_session]
    assert len(at_session) == 2 and [2, 1] == sorted(map(len, days), reverse=True), at_session
    assert all(said < written for said, written in (d for d in days if len(d) == 2))  # typed in after the meeting
    assert re.search(rf"You said this on {day}\.", page)  # input given online: the day it was given
    assert not re.search(rf"You said this on {day} \(written down by Fran Mills at", page)


def test_the_hub_board_s_hidden_captions_name_each_stage(site):  # noqa: F811
    page = signed_in(site, "alex").get(f"/hubs/{hub_of(site, 'alex')}").text
    captions = re.findall(r'<caption class="nhsuk-u-visually-hidden">(.*?)</caption>', page)
    assert "Issues closed" in captions and "Issues in Frame" in captions, captions
    assert all(re.fullmatch(r"Issues (closed|in (Frame|Explore|Act|Learn))", c) for c in captions), captions


def test_tracking_with_no_code_asks_for_the_code(site):  # noqa: F811
    client = site.test_client()
    answer = client.post("/track", data={"code": "  ", "csrf_token": token_on(client.get("/track").text)})
    assert answer.status_code == 422
    assert "Enter the code from your receipt" in answer.text and "We could not find that code" not in answer.text


def test_a_number_out_of_range_on_the_session_form_says_which_numbers_it_takes(site):  # noqa: F811
    fran, hub = signed_in(site, "fran"), hub_of(site, "fran")
    shown = fran.get(f"/hubs/{hub}/sessions/new").text
    answer = fran.post(f"/hubs/{hub}/sessions/new", data={
        "csrf_token": token_on(shown), "version": re.search(r'name="version" value="(\d+)"', shown).group(1),
        "rows": "0", "held_on": "2026-03-06", "place": "Library", "format": "drop-in",
        "experts_attended": "100001", "staff_attended": "-1"})
    assert answer.status_code == 422
    said = html.unescape(answer.text)
    assert "Enter a number from 0 to 100,000: How many experts came?" in said
    assert "Enter a number from 0 to 100,000: How many staff came?" in said
    assert "greater than or equal" not in said and "less than or equal" not in said


@pytest.fixture
def runner(monkeypatch, world):
    monkeypatch.setattr("service.cli.main.Context", OpenContext)
    OpenContext.shared = world.app
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield CliRunner()
    for sig, handler in handlers.items():  # `notifications run` takes Ctrl-C and SIGTERM for itself
        signal.signal(sig, handler)


def test_notifications_run_once_does_not_say_to_stop_it(runner):
    once = runner.invoke(cli, ["notifications", "run", "--once"])
    assert once.exit_code == 0, once.output
    assert once.output.startswith("Sending messages due by: ") and "Ctrl-C" not in once.output


@pytest.fixture
def round_of(world):
    """An open priority round of the "own" hub over two issues: the world, the round's id, its issues."""
    manager = world.app.actor_for("hub_manager")
    issues = [str(world.app.raise_issue(world.hubs["own"], title, manager)) for title in ("Bus passes", "Leaflets")]
    opened = world.call("hub_manager", "POST", f"/api/v1/hubs/{world.hubs['own']}/rounds", json={
        "issue_ids": issues, "closes_on": str(now().date() + timedelta(days=14))})
    assert opened.status_code == 201, opened.text
    return world, opened.json["id"], issues


def test_show_round_shows_the_person_their_own_ballot_while_the_round_is_open(round_of, runner):
    world, round_id, issues = round_of
    voted = world.call("expert", "PUT", f"/api/v1/rounds/{round_id}/ballot", json={
        "dots": [{"issue_id": issues[0], "dots": 1}, {"issue_id": issues[1], "dots": 2}]})
    assert voted.status_code == 200, voted.text
    mine = runner.invoke(cli, ["show-round", round_id, "--as", "expert"])
    assert mine.exit_code == 0, mine.output
    assert "You have voted: 1 dot on Bus passes, 2 dots on Leaflets" in mine.output
    theirs = runner.invoke(cli, ["show-round", round_id, "--as", "hub_manager"])
    assert theirs.exit_code == 0 and "You have voted" not in theirs.output and "dot on" not in theirs.output


def test_show_round_says_1_dot(round_of, runner):
    world, round_id, issues = round_of
    tally = world.call("facilitator", "POST", f"/api/v1/rounds/{round_id}/tallies", json={
        "session_id": str(world.sessions["own"]), "voters": 3,
        "dots": [{"issue_id": issues[0], "dots": 1}, {"issue_id": issues[1], "dots": 2}]})
    assert tally.status_code == 200, tally.text
    shown = runner.invoke(cli, ["close-round", round_id, "--as", "hub_manager"])
    assert shown.exit_code == 0, shown.output
    assert "     1 dot   Bus passes" in shown.output and "1 dots" not in shown.output, shown.output
    assert "     2 dots  Leaflets" in shown.output and "You took part" not in shown.output
