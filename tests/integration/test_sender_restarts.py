"""The sender as its own process (`coproduce notifications run`): a mail server down for a while and
the sender killed with SIGKILL mid-batch lose nothing and send nothing twice, on SQLite and PostgreSQL.
The long runs (10,000 messages, a minute's outage, 20 kills) are `python -m bench.notifications`."""

from __future__ import annotations

import pytest

from bench import notifications
from tests.mail_server import MailServer

MESSAGES = 60


@pytest.fixture
def run(store, tmp_path, monkeypatch):
    monkeypatch.setenv("COPRODUCE_SIGNING_KEY", str(tmp_path / "signing-key.pem"))
    url = store.url.render_as_string(hide_password=False)
    notifications.fill(url, MESSAGES, per_person=3)
    mail = MailServer().start()
    yield url, mail
    mail.stop()


def test_nothing_is_lost_or_sent_twice_when_the_mail_server_is_down_for_a_while(run):
    url, mail = run
    found = notifications.outage(url, mail, MESSAGES, seconds=2)
    assert (found.lost, found.copies) == (0, 0)


def test_nothing_is_lost_when_the_sender_is_killed_mid_batch(run):
    url, mail = run
    found = notifications.kills(url, mail, MESSAGES, times=2)
    assert found.lost == 0
    assert found.copies <= 2  # at most the one message a killed sender had handed over and not yet written down
