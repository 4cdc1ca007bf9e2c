"""The coproduce command line, as a new user would use it, on a SQLite file."""

import re

import pytest
from click.testing import CliRunner

from service.cli.main import cli


@pytest.fixture
def run(tmp_path, monkeypatch):
    # in a folder that does not exist yet, as var/ on a fresh clone
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", f"sqlite:///{tmp_path}/var/cli.db")
    runner = CliRunner()

    def invoke(*args, ok=True):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert (result.exit_code == 0) == ok, result.output
        return result.output.strip()

    return invoke


def test_the_demo_tells_a_believable_history(run):
    assert "Demo loaded: 5 hubs, 10 issues, told from 2018 to today" in run("demo")
    assert "already loaded" in run("demo")
    hubs = run("hubs", "--as", "auditor")
    for name in ("Cambridge & South", "Peterborough", "East Cambs", "Wisbech", "Huntingdon"):
        assert name in hubs
    assert "Peterborough (Peterborough; active; since 2023-03-06)" in hubs
    run("hub-opened", "Peterborough", "2023-03-07", "--as", "admin")
    assert "Peterborough (Peterborough; active; since 2023-03-07)" in run("hubs", "--as", "auditor")
    assert "Refused: your role (hub manager) may not do this here" in run(
        "hub-opened", "Peterborough", "2023-03-01", "--as", "priya", ok=False)
    closed = re.search(r"^(\S+)  \[closed\]", run("issues", "--as", "auditor"), re.M).group(1)
    assert closed == "ada6d46b-6e13-4fef-b1a8-727133b8813a"  # the same on every load: the README's examples use it
    history = run("history", closed[:8], "--as", "auditor")
    assert history.startswith("2022-06-14 10:08  Alex Reid (expert) raised the issue")  # on the day it happened
    assert "Alex Reid (expert) raised the issue" in history
    assert "Sam Okafor (hub manager) advanced the issue from frame to explore — why:" in history
    assert "[participation: co-production]" in history
    assert history.splitlines()[-1].endswith("[participation: co-production]")
    assert "closed the issue with the outcome" in history.splitlines()[-1]


def test_an_issue_walks_from_raised_to_closed_by_cli_and_refusals_explain_all(run):
    run("init")
    run("add-hub", "Peterborough", "--area", "Peterborough", "--lifecycle", "active", "--as", "admin")
    run("add-account", "priya", "--role", "hub_manager", "--name", "Priya N", "--hub", "Peterborough", "--as", "admin")
    run("add-account", "kim", "--role", "expert", "--name", "Kim H", "--hub", "Peterborough", "--as", "admin")
    run("add-account", "maria", "--role", "action_owner", "--name", "Maria L", "--hub", "Peterborough",
        "--as", "admin")
    issue = run("raise", "Peterborough", "Drop-in times clash", "--as", "kim")
    refused = run("advance", issue, "explore", "--reason", "go", "--level", "consultation", "--as", "priya", ok=False)
    assert "no framing statement yet" in refused and "no contribution from an expert yet" in refused
    assert "no decision yet to select the issue" in refused
    run("frame", issue, "--problem", "Drop-ins clash with appointments", "--affected", "People with key workers",
        "--as", "priya")
    contribution = run("contribute", issue, "--text", "Tuesdays are my key-worker day", "--as", "kim")
    run("select", issue, "--decision", "Chosen at the drop-in", "--level", "co-production", "--as", "priya")
    assert run("missing", issue, "explore", "--as", "priya") == "Nothing is missing."
    run("advance", issue, "explore", "--reason", "agreed", "--level", "co-production", "--as", "priya")
    assert "no finding recorded yet" in run("advance", issue, "act", "--reason", "x", "--level", "engagement",
                                             "--as", "priya", ok=False)
    run("theme", issue, "timing", "--contribution", contribution[:8], "--as", "priya")
    run("finding", issue, "Two services book on Tuesdays", "--contribution", contribution, "--as", "priya")
    run("stakeholder", issue, "Key-worker team", "--kind", "service", "--as", "priya")
    run("advance", issue, "act", "--reason", "agreed", "--level", "co-design", "--as", "priya")
    action = run("commit-action", issue, "Move the drop-in to Thursdays", "--owner", "maria", "--due", "2024-05-01",
                 "--contribution", contribution, "--as", "priya")
    run("progress", issue, action[:8], "Room booked", "--as", "maria")
    run("complete-action", issue, action, "--note", "First Thursday drop-in held", "--as", "maria")
    run("advance", issue, "learn", "--reason", "done", "--level", "co-production", "--as", "priya")
    run("learning", issue, "--what-changed", "Twice as many came", "--evidence", "Sign-in sheets", "--as", "priya")
    refused = run("close", issue, "--outcome", "Moved", "--level", "co-production", "--as", "priya", ok=False)
    assert "1 contribution awaits feedback" in refused
    run("feedback", issue, "You said Tuesdays clash; drop-ins are now on Thursdays", "--all-waiting", "--as", "priya")
    run("close", issue, "--outcome", "Drop-ins moved", "--level", "co-production", "--as", "priya")
    assert "[closed]" in run("issues", "--hub", "Peterborough", "--as", "priya")
    shown = run("show", issue, "--as", "kim")
    assert "Tuesdays are my key-worker day" in shown and "[answered]" in shown
    assert len(run("history", issue, "--as", "priya").splitlines()) == 16  # one line per recorded change


def test_mistakes_get_a_plain_message_not_a_traceback(run):
    run("init")
    assert "no account called 'ghost'" in run("add-hub", "X", "--area", "Y", "--as", "ghost", ok=False)
    assert "no issue id starts with" in run("history", "zz", "--as", "admin", ok=False)


def test_a_rebuild_shared_among_processes_tells_the_same_history_as_one(run):
    run("demo")
    closed = re.search(r"^(\S+)  \[closed\]", run("issues", "--as", "auditor"), re.M).group(1)
    history = run("history", closed[:8], "--as", "auditor")
    alone = run("projections", "rebuild", "--processes", "1")
    assert re.fullmatch(r"Rebuilt every read model \(the audit chain only when named\): \d+ applications\.", alone)
    assert run("projections", "rebuild", "--processes", "2") == alone
    assert run("history", closed[:8], "--as", "auditor") == history
    assert "Invalid value for '--processes'" in run("projections", "rebuild", "--processes", "0", ok=False)


def test_the_audit_export_never_writes_over_a_file_already_there(run, tmp_path):
    run("init")
    kept = tmp_path / "kept.jsonl"
    kept.write_text("an earlier export\n")
    assert "File exists" in run("audit", "export", str(kept), ok=False)
    assert kept.read_text() == "an earlier export\n"
    run("audit", "export", str(tmp_path / "new.jsonl"))
    assert (tmp_path / "new.jsonl").read_text().startswith('{"type": "header"')


def test_a_missing_signing_key_is_refused_in_one_line(run, tmp_path, monkeypatch):
    run("init")  # signs a first checkpoint
    monkeypatch.setenv("COPRODUCE_SIGNING_KEY", str(tmp_path / "var" / "elsewhere" / "missing.pem"))
    monkeypatch.setenv("COPRODUCE_KEY_FILE", str(next((tmp_path / "var").glob("*.keys"))))
    said = run("audit", "verify", ok=False)
    assert "Refused: the signing key" in said and "Traceback" not in said, said


def test_a_database_that_cannot_be_reached_is_said_so_in_one_line(run, monkeypatch):
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere")  # nothing listens there
    for command in (["issues", "--as", "sam"], ["serve", "--port", "8199"]):
        said = run(*command, ok=False)
        assert said.startswith("Error: cannot reach the database") and "Traceback" not in said, said
        assert "coproduce init" not in said  # the store is not new: the database is away


def test_a_store_that_is_not_there_is_refused_not_made_and_verified(run, tmp_path, monkeypatch):
    """A mistyped path: a check such as `audit verify` must not pass on an empty store made for it."""
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", f"sqlite:///{tmp_path}/typo/coproduce.db")
    for command in (["audit", "verify"], ["projections", "status"], ["notifications", "status"], ["keys", "status"],
                    ["issues", "--as", "sam"], ["serve", "--port", "8656"]):
        said = run(*command, ok=False)
        assert said.startswith(f"Error: there is no store at {tmp_path}/typo/coproduce.db"), (command, said)
    assert not (tmp_path / "typo").exists()  # nothing made: no store, no keys, no folder
    run("init")  # the command that makes one
    assert "OK" in run("audit", "verify")


UUID_AT_END = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$"


def test_adding_a_hub_and_an_account_says_what_was_added_with_the_id_last(run):
    run("init")
    assert run("hubs", "--as", "admin") == (
        "No hubs yet. An admin adds one with: coproduce add-hub NAME --area AREA --lifecycle active --as ADMIN_USERNAME")
    added = run("add-hub", "Peterborough", "--area", "Peterborough", "--lifecycle", "active", "--as", "admin")
    hub = re.fullmatch(r"Added the hub Peterborough \(Peterborough; active\): " + UUID_AT_END, added)
    assert hub, added
    added = run("add-account", "kim", "--role", "expert", "--name", "Kim H", "--hub", "Peterborough", "--as", "admin")
    kim = re.fullmatch(r"Added the account kim \(expert\) in Peterborough: " + UUID_AT_END, added)
    assert kim, added
    assert hub.group(1) in run("hubs", "--as", "admin")
    added = run("add-account", "priya", "--role", "hub_manager", "--name", "Priya N", "--hub", hub.group(1),
                "--as", "admin")
    assert re.fullmatch(r"Added the account priya \(hub manager\) in Peterborough: " + UUID_AT_END, added), added
    added = run("add-account", "ada", "--role", "auditor", "--name", "Ada", "--as", "admin")
    assert re.fullmatch(r"Added the account ada \(auditor\): " + UUID_AT_END, added), added


def test_someone_of_no_hub_is_told_so_not_that_there_are_no_hubs(run):
    run("init")
    run("add-hub", "Peterborough", "--area", "Peterborough", "--lifecycle", "active", "--as", "admin")
    run("add-account", "kim", "--role", "expert", "--name", "Kim H", "--as", "admin")
    assert "you belong to none yet" in run("hubs", "--as", "kim")


def test_show_says_an_actions_due_day_as_history_does(run):
    run("demo")
    issue = "ada6d46b"
    shown, history = run("show", issue, "--as", "auditor"), run("history", issue, "--as", "auditor")
    dues = re.findall(r", due (.+?) \[", shown)
    assert dues and all(re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", due) for due in dues), shown
    assert all(f"due {due}" in history for due in dues), (dues, history)
