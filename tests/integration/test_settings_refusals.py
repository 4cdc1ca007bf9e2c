"""Every setting is checked once, before a command or the server opens anything: one that does not hold
what it must is refused in one line naming the variable and what it must look like, never a traceback
(nor a server that starts and then answers 500)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from service.bootstrap import Settings, http_config
from service.cli.main import cli

# (variable, value, what the one line says)
BAD_SETTINGS = [
    ("COPRODUCE_SIGNING_KEY", "{dir}/damaged.pem",
     "the signing key {dir}/damaged.pem (COPRODUCE_SIGNING_KEY) cannot be read"),
    ("COPRODUCE_SIGNING_KEY", "{dir}", "COPRODUCE_SIGNING_KEY must be a file (one that may not exist yet), not a "
                                       "directory (it is '{dir}')"),
    ("COPRODUCE_KEY_FILE", "{dir}", "COPRODUCE_KEY_FILE must be a file (one that may not exist yet), not a "
                                    "directory (it is '{dir}')"),
    ("COPRODUCE_CHECKPOINT_SECONDS", "1h", "COPRODUCE_CHECKPOINT_SECONDS must be a number of seconds, such as 300 "
                                           "(it is '1h')"),
    ("COPRODUCE_RETRY_SECONDS", "x", "COPRODUCE_RETRY_SECONDS must be a number of seconds, such as 30 (it is 'x')"),
    ("COPRODUCE_SMTP_URL", "smtpx://m:25", "COPRODUCE_SMTP_URL must look like smtp://user:password@host:587"),
    ("COPRODUCE_DATABASE_URL", "postgresql://u:secret@h:54x2/d", "COPRODUCE_DATABASE_URL must have a port that is a "
                                                                 "number, such as postgresql+psycopg://"),
    ("COPRODUCE_MANAGE_SCHEMA", "nope", "COPRODUCE_MANAGE_SCHEMA must be yes or no (it is 'nope')"),
    ("COPRODUCE_PROJECTIONS", "later", "COPRODUCE_PROJECTIONS must be inline or worker (it is 'later')"),
    ("COPRODUCE_NOTIFICATIONS", "never", "COPRODUCE_NOTIFICATIONS must be inline or worker (it is 'never')"),
    ("COPRODUCE_READY_MAX_LAG", "abc", "COPRODUCE_READY_MAX_LAG must be a whole number, such as 1000 (it is 'abc')"),
    ("COPRODUCE_MAX_BODY_BYTES", "64k", "COPRODUCE_MAX_BODY_BYTES must be a whole number, such as 65536 (it is '64k')"),
    ("COPRODUCE_TOKEN_IDLE_DAYS", "-3", "COPRODUCE_TOKEN_IDLE_DAYS must be a whole number, such as 30 (it is '-3')"),
    ("COPRODUCE_RATE_LIMIT_STORAGE", "redis//x", "COPRODUCE_RATE_LIMIT_STORAGE must be memory:// or a storage "
                                                 "address such as redis://host:6379 (it is 'redis//x')"),
    ("COPRODUCE_RATE_LIMIT", "lots", "COPRODUCE_RATE_LIMIT must be a rate limit, such as '600 per minute' or "
                                     "'10/second' (it is 'lots')"),
    ("COPRODUCE_SIGN_IN_LIMIT", "ten", "COPRODUCE_SIGN_IN_LIMIT must be a rate limit"),
]


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A store made by `coproduce init`, its keys beside it, and a damaged signing key file."""
    for name in ("COPRODUCE_SIGNING_KEY", "COPRODUCE_KEY_FILE", "COPRODUCE_KEY", "COPRODUCE_SMTP_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", f"sqlite:///{tmp_path}/store.db")
    made = CliRunner().invoke(cli, ["init"])
    assert made.exit_code == 0, made.output
    (tmp_path / "damaged.pem").write_text("junk\n")
    return tmp_path


@pytest.mark.parametrize("command", [["projections", "status"], ["serve", "--port", "8655"]])
@pytest.mark.parametrize(("name", "value", "says"), BAD_SETTINGS, ids=[f"{n}={v}" for n, v, _ in BAD_SETTINGS])
def test_a_setting_that_cannot_be_used_is_refused_in_one_line(store, monkeypatch, command, name, value, says):
    # given
    monkeypatch.setenv(name, value.format(dir=store))
    # when
    result = CliRunner().invoke(cli, command)
    # then
    said = result.output.strip()
    assert result.exit_code == 1, said
    assert said.startswith("Refused: " + says.format(dir=store)), said
    assert len(said.splitlines()) == 1 and "Traceback" not in said and "secret" not in said
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_help_is_given_whatever_the_settings(monkeypatch):
    monkeypatch.setenv("COPRODUCE_CHECKPOINT_SECONDS", "1h")
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0 and "--port" in result.output


def test_good_settings_are_read_as_numbers_limits_and_choices():
    settings = Settings.from_env({"COPRODUCE_CHECKPOINT_SECONDS": "0", "COPRODUCE_RETRY_SECONDS": "2.5",
                                  "COPRODUCE_MANAGE_SCHEMA": "No", "COPRODUCE_PROJECTIONS": "worker"})
    assert (settings.checkpoint_seconds, settings.retry_seconds, settings.manage_schema) == (0, 2.5, False)
    assert settings.projections == "worker"
    config = http_config(environ={"COPRODUCE_MAX_BODY_BYTES": "1024", "COPRODUCE_RATE_LIMIT": "10/second",
                                  "COPRODUCE_RATE_LIMIT_STORAGE": "redis://127.0.0.1:6379"})
    assert (config.max_body_bytes, config.rate_limit, config.ready_max_lag) == (1024, "10/second", 1000)
    assert http_config({"max_body_bytes": 7}, environ={}).max_body_bytes == 7
