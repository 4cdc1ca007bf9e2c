"""The command line decides what people type by the rules the API and the pages apply (the schemas of
service/app/schemas.py): too long or out of range is refused naming the field and records nothing;
a value at the limit is taken."""

from __future__ import annotations

from types import SimpleNamespace
from uuid import UUID

import pytest
from click.testing import CliRunner

from service.bootstrap import open_application
from service.cli.main import cli
from service.infra.store import Store
from tests.conftest import Cast
from tests.e2e.doors import OpenContext

V = "{value}"  # where the value under test goes
SESSION = ["--date", "2024-02-01", "--place", "Hall", "--format", "meeting"]

# (who, command with {hub}, {issue} and V, the field as the refusal names it, values refused, a value at the limit)
CASES = {
    "raise": ("sam", ["raise", "{hub}", V], "title", ["x" * 100_000, "x" * 301], "x" * 300),
    "frame": ("sam", ["frame", "{issue}", "--problem", V, "--affected", "x"], "--problem",
              ["x" * 6000, "x" * 5001], "x" * 5000),
    "contribute": ("alex", ["contribute", "{issue}", "--text", V], "--text", ["x" * 6000], "x" * 5000),
    "add-hub": ("admin", ["add-hub", V, "--area", "x"], "name", ["x" * 400, "x" * 301], "x" * 300),
    "add-account": ("admin", ["add-account", "longname1", "--role", "expert", "--name", V], "--name",
                    ["x" * 400, "x" * 301], "x" * 300),
    "record-session experts": ("fran", ["record-session", "{hub}", *SESSION, "--experts", V, "--staff", "1"],
                               "--experts", ["99999999999999999999", "100001", "-1"], "100000"),
    "record-session staff": ("fran", ["record-session", "{hub}", *SESSION, "--experts", "1", "--staff", V],
                             "--staff", ["100001", "-1"], "0"),
    "add-hub opened on": ("admin", ["add-hub", "Hy", "--area", "A", "--opened-on", V], "--opened-on",
                          ["1066-10-14", "1899-12-31"], "1900-01-01"),
    "hub-opened": ("admin", ["hub-opened", "{hub}", V], "opened_on", ["0001-01-01", "1899-12-31"], "1900-01-01"),
}


@pytest.fixture
def world(tmp_path, monkeypatch):
    app = open_application(Store.parse(f"sqlite:///{tmp_path}/rules.db"), projections_inline=True)
    monkeypatch.setattr("service.cli.main.Context", OpenContext)
    monkeypatch.setattr(OpenContext, "shared", app)
    cast = Cast(app)
    issue = app.raise_issue(cast.hub, "No GP without an address", cast.manager)
    yield SimpleNamespace(app=app, hub=str(cast.hub), issue=str(issue))
    app.close()


def _run(world, who: str, command: list[str], value: str):
    args = [part.format(hub=world.hub, issue=world.issue, value=value) for part in command]
    return CliRunner().invoke(cli, [*args, "--as", who], catch_exceptions=False)


def _log_head(world) -> int:
    return world.app.recorder.max_notification_id() or 0


@pytest.mark.parametrize("case", list(CASES))
def test_too_long_or_out_of_range_is_refused_naming_the_field_and_nothing_is_recorded(world, case):
    who, command, field, refused, _ = CASES[case]
    for value in refused:
        before = _log_head(world)
        result = _run(world, who, command, value)
        assert result.exit_code == 2, (case, value[:20], result.output)
        assert f"Error: {field}: " in result.output, result.output
        assert "Traceback" not in result.output
        assert _log_head(world) == before, (case, value[:20])


@pytest.mark.parametrize("case", list(CASES))
def test_a_value_at_the_limit_is_taken(world, case):
    who, command, _, _, limit = CASES[case]
    before = _log_head(world)
    result = _run(world, who, command, limit)
    assert result.exit_code == 0, result.output
    assert _log_head(world) > before


def test_the_refusal_says_the_rule(world):
    said = _run(world, "sam", ["raise", "{hub}", V], "x" * 301).output
    assert "title: Length must be between 1 and 300." in said
    said = _run(world, "fran", CASES["record-session experts"][1], "100001").output
    assert "--experts: Must be greater than or equal to 0 and less than or equal to 100000." in said
    said = _run(world, "admin", ["hub-opened", "{hub}", V], "0001-01-01").output
    assert "opened_on: must be a date between 1900-01-01 and 9998-12-31" in said


def test_recording_the_day_a_hub_started_says_what_it_recorded(world):
    assert _run(world, "admin", ["hub-opened", "{hub}", V], "2023-03-07").output.strip() == \
        "Recorded: the hub started on 2023-03-07."
    assert world.app.hub(UUID(world.hub)).opened_on == "2023-03-07"
