"""Several server processes and a projection worker over one store, under concurrent clients,
and killed at random: nothing acknowledged is lost, nothing is recorded twice."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from domain import Role
from service.bootstrap import open_application
from service.infra.store import Store
from tests.e2e.checks import assert_store_verifies_and_rebuilds_alike, assert_verifies_and_rebuilds_alike
from tests.processes import environment, kill, start_server, start_worker, stop

ALLOWED = {200, 201, 409, 412, 422}
UNLIMITED = "1000000 per minute"  # load tests measure correctness, not the rate limiter


def seed(store, issues: int = 3) -> tuple[list[str], str]:
    """An admin-made hub with a manager and some issues; returns the issue ids and the manager's token."""
    app = open_application(store, projections_inline=True)
    try:
        admin = app.account(app.register_first_admin("admin", "Ada")).as_actor()
        hub = app.create_hub("Peterborough", "Peterborough", "active", admin)
        manager = app.open_account("priya", Role.HUB_MANAGER, "Priya", "", admin, hub_ids=[hub])
        ids = [str(app.raise_issue(hub, f"Issue {n}", app.actor_for("priya"))) for n in range(issues)]
        _, token = app.credentials.issue_token(manager, "load")
        return ids, token
    finally:
        app.close()


def recorded_stakeholders(store, issue_ids: list[str]) -> Counter:
    app = open_application(store, projections_inline=False)
    try:
        return Counter(s.name for i in issue_ids for s in app.issue(i).stakeholders)
    finally:
        app.close()


class Load:
    """Clients adding uniquely named stakeholders; remembers what was acknowledged and what was sent."""

    def __init__(self, bases: list[str], token: str, issue_ids: list[str]):
        self.bases, self.issue_ids = bases, issue_ids
        self.headers = {"Authorization": f"Bearer {token}"}
        self.acknowledged: list[str] = []
        self.sent: list[str] = []
        self.statuses: Counter = Counter()
        self.lock = threading.Lock()

    def client(self, stop: threading.Event, seed: int, limit: int | None = None) -> None:
        rng, session, done = random.Random(seed), requests.Session(), 0
        while not stop.is_set() and (limit is None or done < limit):
            name = f"org-{uuid.uuid4().hex[:12]}"
            base, issue = rng.choice(self.bases), rng.choice(self.issue_ids)
            with self.lock:
                self.sent.append(name)
            try:
                answer = session.post(f"{base}/issues/{issue}/stakeholders", headers=self.headers,
                                      json={"name": name, "kind": "service"}, timeout=10)
            except requests.RequestException:
                continue  # no answer: the write may or may not have happened, but never half
            with self.lock:
                self.statuses[answer.status_code] += 1
                if answer.status_code == 200:
                    self.acknowledged.append(name)
            done += 1


def test_two_servers_and_a_worker_on_postgresql_lose_and_duplicate_nothing(pg):
    issue_ids, token = seed(pg)
    env = environment(pg.url.render_as_string(hide_password=False), COPRODUCE_MANAGE_SCHEMA="no",
                      COPRODUCE_PROJECTIONS="worker", COPRODUCE_RATE_LIMIT=UNLIMITED)
    servers = [start_server(env) for _ in range(2)]
    worker = start_worker(env)
    load = Load([base for _, base in servers], token, issue_ids)
    stop_now = threading.Event()
    with ThreadPoolExecutor(8) as pool:
        for n in range(8):
            pool.submit(load.client, stop_now, n, 40)
    outputs = [stop(process) for process, _ in servers]
    recorded = recorded_stakeholders(pg, issue_ids)
    assert set(load.statuses) <= ALLOWED, load.statuses
    assert len(load.acknowledged) > 100
    assert all(recorded[name] == 1 for name in load.acknowledged)
    assert max(recorded.values()) == 1
    app = open_application(pg, projections_inline=False)
    try:
        deadline = time.monotonic() + 30
        while any(s["lag"] for s in app.projections.status()):
            assert time.monotonic() < deadline, "the worker did not catch up"
            time.sleep(0.1)
        assert_verifies_and_rebuilds_alike(app)
    finally:
        app.close()
        stop(worker)
    assert not any("Traceback" in out for out in outputs)


def test_sixteen_clients_racing_on_one_issue_with_if_match_lose_nothing(pg):
    issue_ids, token = seed(pg, issues=1)
    env = environment(pg.url.render_as_string(hide_password=False), COPRODUCE_MANAGE_SCHEMA="no",
                      COPRODUCE_PROJECTIONS="worker", COPRODUCE_RATE_LIMIT=UNLIMITED)
    servers = [start_server(env) for _ in range(2)]
    headers = {"Authorization": f"Bearer {token}"}
    path = f"issues/{issue_ids[0]}"
    won, lost, wrong = [], Counter(), Counter()

    def client(n: int) -> None:
        session, base = requests.Session(), servers[n % 2][1]
        for i in range(200):
            etag = session.get(f"{base}/{path}", headers=headers, timeout=10).headers["ETag"]
            answer = session.post(f"{base}/{path}/stakeholders", headers={**headers, "If-Match": etag},
                                  json={"name": f"client {n} try {i}", "kind": "service"}, timeout=10)
            if answer.status_code == 200:
                won.append(answer.json()["version"])
            elif answer.status_code in (409, 412):
                lost[answer.status_code] += 1
            else:
                wrong[answer.status_code] += 1

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(client, range(16)))
    for process, _ in servers:
        stop(process)
    app = open_application(pg, projections_inline=False)
    try:
        issue = app.issue(issue_ids[0])
        versions = [e.originator_version for e in app.history(issue_ids[0])]
    finally:
        app.close()
    assert not wrong
    assert len(won) + sum(lost.values()) == 16 * 200
    assert sorted(won) == list(range(2, 2 + len(won)))  # every win is the next version: none lost or doubled
    assert versions == list(range(1, issue.version + 1)) and issue.version == 1 + len(won)
    assert len(issue.stakeholders) == len(won) == len({s.name for s in issue.stakeholders})


def test_rate_limits_hold_across_two_server_processes(pg, tmp_path):
    issue_ids, token = seed(pg, issues=1)
    env = environment(pg.url.render_as_string(hide_password=False), COPRODUCE_MANAGE_SCHEMA="no",
                      COPRODUCE_RATE_LIMIT="10 per minute",
                      COPRODUCE_RATE_LIMIT_STORAGE="redis://127.0.0.1:6379")
    servers = [start_server(env) for _ in range(2)]
    try:
        headers = {"Authorization": f"Bearer {token}"}
        answers = [requests.get(f"{servers[n % 2][1]}/me", headers=headers, timeout=10).status_code
                   for n in range(14)]
    finally:
        for process, _ in servers:
            stop(process)
    assert answers.count(200) == 10 and answers.count(429) == 4


@pytest.mark.parametrize("store_kind", ["sqlite", "postgres"])
def test_killing_servers_and_the_worker_at_random_loses_no_acknowledged_write(store_kind, tmp_path, request):
    store = Store.parse(f"sqlite:///{tmp_path}/crash.db") if store_kind == "sqlite" \
        else request.getfixturevalue("pg")
    issue_ids, token = seed(store)
    url = store.url.render_as_string(hide_password=False)
    env = environment(url, COPRODUCE_MANAGE_SCHEMA="no", COPRODUCE_RATE_LIMIT=UNLIMITED,
                      COPRODUCE_PROJECTIONS="inline" if store.is_sqlite else "worker")
    rng = random.Random(7)
    load = None
    for cycle in range(20):
        server, base = start_server(env)
        worker = None if store.is_sqlite else start_worker(env)
        load = Load([base], token, issue_ids) if load is None else _retarget(load, [base])
        stop_now = threading.Event()
        clients = [threading.Thread(target=load.client, args=(stop_now, cycle * 10 + n)) for n in range(4)]
        for t in clients:
            t.start()
        time.sleep(rng.uniform(0.2, 0.8))
        kill(server)
        if worker:
            time.sleep(rng.uniform(0, 0.2))
            kill(worker)
        stop_now.set()
        for t in clients:
            t.join()
    recorded = recorded_stakeholders(store, issue_ids)
    assert all(recorded[name] == 1 for name in load.acknowledged), "an acknowledged write is missing"
    assert max(recorded.values()) == 1, "a write was recorded twice"
    assert set(recorded) <= set(load.sent)
    assert set(load.statuses) <= ALLOWED, load.statuses
    assert_store_verifies_and_rebuilds_alike(store)


def _retarget(load: Load, bases: list[str]) -> Load:
    load.bases = bases
    return load
