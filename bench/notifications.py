"""Messages due, drained to a real SMTP server: the rate beside the same SMTP client sending
prepared messages in a loop, and what an outage and `kill -9` of the sender do (lost, sent twice).

    python -m bench.notifications --messages 10000 --outage 60 --kills 20 [--store postgres]

Every message carries a Message-ID made from its stable key; the server counts the distinct ids
it got (none may be missing: lost) and the copies beyond the first of each (sent twice).
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace

from bench.scratch import scratch_store
from bench.stats import HEADER, Figure
from domain import Attribution, Channel, Role
from service.app.ports import Outgoing
from service.bootstrap import Settings, open_application
from service.infra.smtp_channel import SmtpChannel
from service.infra.store import Store
from tests.mail_server import MailServer
from tests.processes import environment, kill, output_of, start_sender, stop

SENDER = "hub@bench.example"


@dataclass
class Tally:
    expected: int
    distinct: int
    copies: int

    @property
    def lost(self) -> int:
        return self.expected - self.distinct


def _settings(**given: str) -> Settings:
    """The environment's settings (key files, Notify…), the sender as a worker, and `given`."""
    return replace(Settings.from_env(), notifications="worker", **given)


def fill(url: str, messages: int, per_person: int = 10) -> None:
    """A hub whose experts chose email, and feedback on their input owing `messages` emails."""
    app = open_application(Store.parse(url), projections_inline=True, settings=_settings())
    try:
        admin = app.account(app.register_first_admin("admin", "Bench Admin")).as_actor()
        hub = app.create_hub("Bench hub", "Benchshire", "active", admin)
        manager = app.account(app.open_account("manager", Role.HUB_MANAGER, "Manager", "", admin,
                                               hub_ids=[hub])).as_actor()
        experts = []
        for n in range(messages // per_person):
            expert = app.account(app.open_account(f"expert{n}", Role.EXPERT, f"Expert {n}", "", admin,
                                                  hub_ids=[hub])).as_actor()
            app.choose_contact(expert, {"ways": ["email"], "topics": ["feedback"], "how_often": "each_time",
                                        "email": f"expert{n}@bench.example", "phone": "", "postal_address": ""})
            experts.append(expert)
        for round_ in range(per_person):  # one issue a round: each expert's input, then one feedback on it all
            issue = app.issue(app.raise_issue(hub, f"Bench issue {round_}", manager))
            said = [issue.record_contribution(e.account_id, app.sealer.seal(e.account_id, "words"), e,
                                              Channel.ONLINE, True, Attribution.ANONYMOUS) for e in experts]
            issue.give_feedback("We heard you, and this is what we did.", said, manager)
            app._save(issue)
        app.projections.catch_up()
        assert app.delivery_status()["due"] == messages, app.delivery_status()
    finally:
        app.close()


def tally(mail: MailServer, expected: int) -> Tally:
    ids = Counter(message["Message-ID"] for message in mail.messages)
    return Tally(expected, len(ids), sum(n - 1 for n in ids.values()))


def drain(url: str, mail: MailServer, messages: int) -> float:
    """Messages a second, the sender's passes in this process until nothing is due."""
    settings = _settings(smtp_url=mail.url, mail_from=SENDER)
    app = open_application(Store.parse(url), projections_inline=True, settings=settings)
    try:
        started = time.perf_counter()
        while app.delivery_status()["due"]:
            app.deliver_due()
        return messages / (time.perf_counter() - started)
    finally:
        app.close()


def baseline(mail: MailServer, messages: int) -> float:
    """Messages a second: the same SMTP client sending prepared messages in a loop, nothing recorded."""
    channel = SmtpChannel(mail.url, SENDER)
    prepared = [Outgoing(f"baseline:{n}", "email", f"expert{n}@bench.example", "News from Bench hub",
                         "Hello,\nThe hub has answered your input.\n", "<p>Hello,</p>") for n in range(messages)]
    started = time.perf_counter()
    for message in prepared:
        channel.send(message)
    channel.close()
    return messages / (time.perf_counter() - started)


def _worker(url: str, mail: MailServer):
    env = environment(url, COPRODUCE_SMTP_URL=mail.url, COPRODUCE_MAIL_FROM=SENDER, COPRODUCE_RETRY_SECONDS="1")
    return start_sender(env)


def _until_drained(url: str, deadline: float) -> None:
    app = open_application(Store.parse(url), projections_inline=False, settings=_settings())
    try:  # the sender keeps the read models up (inline on SQLite, its own catch-up on PostgreSQL)
        while time.monotonic() < deadline:
            status = app.delivery_status()
            if not status["due"] and not status["sending"] and not status["to_try_again"]:
                return
            time.sleep(0.5)
        raise TimeoutError(f"messages still due: {status}")
    finally:
        app.close()


def outage(url: str, mail: MailServer, messages: int, seconds: float) -> Tally:
    """The mail server stopped for `seconds` while a worker sends, then started again."""
    worker = _worker(url, mail)
    try:
        time.sleep(1.0)
        mail.stop()
        time.sleep(seconds)
        mail.start()
        _until_drained(url, time.monotonic() + 300 + seconds)
    finally:
        stop(worker)
    return tally(mail, messages)


def kills(url: str, mail: MailServer, messages: int, times: int, seed: int = 15) -> Tally:
    """The worker killed with SIGKILL `times` times mid-batch, started again each time."""
    chance = random.Random(seed)
    for _ in range(times):
        worker = _worker(url, mail)
        time.sleep(chance.uniform(1.5, 3.0))  # it starts (about a second), then sends for a while
        assert worker.poll() is None, output_of(worker)
        kill(worker)
    worker = _worker(url, mail)
    try:
        _until_drained(url, time.monotonic() + 600)
    finally:
        stop(worker)
    return tally(mail, messages)


def measure(kind: str, messages: int, outage_seconds: float, times: int) -> Iterator[Figure]:
    """Each figure as soon as it is measured (the whole run takes a while)."""
    mail = MailServer().start()
    try:
        with scratch_store(kind) as url:
            fill(url, messages)
            rate = drain(url, mail, messages)
            sent = tally(mail, messages)
            mail.messages.clear()
            base = baseline(mail, messages)
            yield Figure("messages drained to SMTP", kind, rate, "msg/s", base, "SMTP client loop",
                         "≥ 0.5×", rate >= 0.5 * base, f"lost {sent.lost}, twice {sent.copies}")
        for name, run in (("outage", lambda url: outage(url, mail, messages, outage_seconds)),
                          ("kill -9", lambda url: kills(url, mail, messages, times))):
            mail.messages.clear()
            with scratch_store(kind) as url:
                fill(url, messages)
                found = run(url)
            what = f"mail server down {outage_seconds:.0f} s" if name == "outage" else f"{times} × kill -9"
            yield Figure(f"{what}: messages received", kind, found.distinct, "msgs", messages, "due",
                         "0 lost, 0 twice", found.lost == 0 and found.copies == 0,
                         f"lost {found.lost}, twice {found.copies}")
    finally:
        mail.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--outage", type=float, default=60.0)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--store", choices=["sqlite", "postgres"], action="append")
    options = parser.parse_args()
    print(HEADER, flush=True)
    for kind in options.store or ["sqlite"]:
        for figure in measure(kind, options.messages, options.outage, options.kills):
            print(figure.row(), flush=True)


if __name__ == "__main__":
    main()
