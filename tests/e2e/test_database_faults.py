"""When PostgreSQL goes away: no false answers, no doubles, no stuck keys, and answers within 2 s.

A real server talks to PostgreSQL through a TCP proxy that the tests cut and restore, and that
can drop a connection just after a commit of events reached the server."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.e2e.checks import assert_store_verifies_and_rebuilds_alike
from tests.e2e.test_scaled import UNLIMITED, recorded_stakeholders, seed
from tests.processes import environment, start_server, stop
from tests.tcp_proxy import Proxy

pytestmark = pytest.mark.postgres
PROBLEM = "application/problem+json"
WRITES_PER_CLIENT = 8
FAULTS = 10  # five of each kind, then none: every write must then end in a definite answer


@pytest.fixture
def proxied(pg):
    """A server on PostgreSQL through the proxy; the issues to write to and a hub manager's token."""
    issue_ids, token = seed(pg)
    proxy = Proxy(pg.url.port or 5432)
    url = pg.url.set(port=proxy.port).render_as_string(hide_password=False)
    server, base = start_server(environment(url, COPRODUCE_MANAGE_SCHEMA="no", COPRODUCE_PROJECTIONS="inline",
                                            COPRODUCE_RATE_LIMIT=UNLIMITED))
    yield proxy, base, issue_ids, {"Authorization": f"Bearer {token}"}
    if proxy.is_cut:
        proxy.restore()
    output = stop(server)
    assert "Traceback" not in output, output[-3000:]
    proxy.cut()


class Writers:
    """Clients adding uniquely named stakeholders, each write with its own Idempotency-Key, retried
    with the same key after any failure until it gets a definite answer, as docs/api.md advises."""

    def __init__(self, base: str, headers: dict, issue_ids: list[str]):
        self.base, self.headers, self.issue_ids = base, headers, issue_ids
        self.acknowledged: dict[str, str] = {}  # name: the issue it was added to
        self.statuses: Counter = Counter()
        self.lock = threading.Lock()

    def write(self, name: str, issue: str) -> None:
        session, deadline = requests.Session(), time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                answer = session.post(f"{self.base}/issues/{issue}/stakeholders", timeout=20,
                                      json={"name": name, "kind": "service"},
                                      headers={**self.headers, "Idempotency-Key": f"add-{name}"})
            except requests.RequestException:
                time.sleep(0.1)
                continue
            with self.lock:
                self.statuses[answer.status_code] += 1
            if answer.status_code == 200:
                with self.lock:
                    self.acknowledged[name] = issue
                return
            assert answer.status_code in (409, 503), (answer.status_code, answer.text)
            assert answer.headers["Content-Type"] == PROBLEM
            time.sleep(0.1)

    def client(self, n: int) -> None:
        for _ in range(WRITES_PER_CLIENT):
            self.write(f"org-{n}-{uuid.uuid4().hex[:10]}", random.choice(self.issue_ids))


def test_writes_retried_with_their_keys_across_cuts_are_recorded_exactly_once(proxied, pg):
    proxy, base, issue_ids, headers = proxied
    writers = Writers(base, headers, issue_ids)
    done, cuts = threading.Event(), 0

    def faults() -> None:  # in turn: commits whose answer is lost, and the database gone for a while
        nonlocal cuts
        rng = random.Random(7)
        for turn in range(FAULTS):
            time.sleep(rng.uniform(0.3, 0.8))
            if done.is_set():
                return
            if turn % 2 == 0:
                proxy.commits_to_drop += 2  # the server commits; the answer never comes back
            else:
                proxy.cut()
                cuts += 1
                time.sleep(rng.uniform(0.1, 1.0))
                proxy.restore()

    chaos = threading.Thread(target=faults)
    chaos.start()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(writers.client, range(8)))
    done.set()
    chaos.join()

    assert cuts == FAULTS // 2 and proxy.dropped >= 2, (cuts, proxy.dropped)
    assert set(writers.statuses) <= {200, 409, 503}, writers.statuses
    assert len(writers.acknowledged) == 8 * WRITES_PER_CLIENT  # every write ended in a definite answer
    recorded = recorded_stakeholders(pg, issue_ids)
    assert sum(recorded.values()) == len(writers.acknowledged)
    assert all(recorded[name] == 1 for name in writers.acknowledged)

    # no key is stuck: each, sent once more, is answered at once (or, if its answer could not be
    # kept, once its claim's lease is over) and records nothing more
    resent = Writers(base, headers, issue_ids)
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(resent.write, writers.acknowledged, writers.acknowledged.values()))
    assert resent.statuses == Counter({200: len(writers.acknowledged)}), resent.statuses
    assert recorded_stakeholders(pg, issue_ids) == recorded
    assert_store_verifies_and_rebuilds_alike(pg)


def test_a_write_whose_commit_was_never_confirmed_is_neither_denied_nor_done_twice(proxied, pg):
    proxy, base, issue_ids, headers = proxied
    proxy.commits_to_drop, proxy.cut_after_drop = 1, True  # committed, then the database is gone
    send = dict(json={"name": "Unconfirmed", "kind": "service"}, timeout=20,
                headers={**headers, "Idempotency-Key": "unconfirmed"})
    first = requests.post(f"{base}/issues/{issue_ids[0]}/stakeholders", **send)
    assert first.status_code == 503 and first.headers["Retry-After"] == "2"
    assert first.json()["detail"].startswith("We could not tell whether this was recorded")
    proxy.restore()
    retried = requests.post(f"{base}/issues/{issue_ids[0]}/stakeholders", **send)
    assert retried.status_code == 200 and retried.headers["Idempotent-Replayed"] == "true"
    assert retried.json()["detail"].startswith("This request was recorded")
    assert recorded_stakeholders(pg, issue_ids)["Unconfirmed"] == 1


def test_while_the_database_is_away_every_answer_comes_within_two_seconds(proxied):
    proxy, base, issue_ids, headers = proxied
    site = base.removesuffix("/api/v1")
    asks = [("GET", f"{base}/me", headers, None), ("GET", f"{site}/readyz", {}, None),
            ("POST", f"{base}/issues/{issue_ids[0]}/stakeholders", {**headers, "Idempotency-Key": "away"},
             {"name": "Away", "kind": "service"}),
            ("POST", f"{base}/tokens", {}, {"username": "priya", "password": "not checked while away"}),
            ("GET", f"{base}/issues/{issue_ids[0]}", headers, None)]
    proxy.cut()

    def ask(n: int) -> tuple[str, int, str, str | None, float]:
        method, url, sent, body = asks[n % len(asks)]
        started = time.monotonic()
        answer = requests.request(method, url, headers=sent, json=body, timeout=10)
        return (url, answer.status_code, answer.headers.get("Content-Type", ""), answer.headers.get("Retry-After"),
                time.monotonic() - started)

    with ThreadPoolExecutor(8) as pool:  # more requests at once than the server has threads
        answers = list(pool.map(ask, range(40)))
    healthz = requests.get(f"{site}/healthz", timeout=5)
    assert healthz.status_code == 200
    slowest = max(seconds for *_, seconds in answers)
    assert slowest < 2, answers
    assert all(status == 503 and kind == PROBLEM and retry_after == "2"
               for _, status, kind, retry_after, _ in answers), answers

    proxy.restore()
    back = time.monotonic()
    while True:
        answer = requests.post(f"{base}/issues/{issue_ids[0]}/stakeholders", json={"name": "Back", "kind": "service"},
                               headers={**headers, "Idempotency-Key": "back"}, timeout=10)
        if answer.status_code == 200:
            break
        assert time.monotonic() - back < 2, answer.text
        time.sleep(0.05)
    assert time.monotonic() - back < 2
    again = requests.post(f"{base}/issues/{issue_ids[0]}/stakeholders", json={"name": "Away", "kind": "service"},
                          headers={**headers, "Idempotency-Key": "away"}, timeout=10)
    assert again.status_code == 200  # the key used while the database was away is not stuck
