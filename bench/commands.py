"""Command throughput and latency over real HTTP, against the library's and the database's own rates.

The production server (`coproduce serve`, gunicorn) runs in its own process on a generated
store; N clients on loopback each record input, one request after another, on an issue of
their own. Every 201 was committed before it was answered. The clients send
`Prefer: return=minimal` (RFC 7240), as a client that only needs the new input's id and the
issue's version would: the answer is then those, not the whole issue rendered again.

The commands' time runs until a read shows them all: after the last answer, one read brings
the read models up to date (a command's work includes that), and its time is the commands'.
That read is the timeline of an issue that takes no input during the run, so that its own
work stays the same from one fifth to the next (the timeline of an issue the clients write to
grows by a hundred entries in a run, and rendering them is no command's work). The same read
is timed again once the views are up to date: that is the read's own work.

The same clients then ask the same server, over the same connections (see bench/loadgen.py),
for two answers that record nothing, as ceilings for this HTTP stack on this machine (the load
generator shares its cores): `GET /healthz`, which reads no store and needs no sign-in, and
`GET /api/v1/me`, which looks up the token and the account as every command does.

The commands and the requests they are compared with are sent in turn, a fifth of each at a
time (`SLICES`): the speed of this machine drifts within seconds, and in one block each, the
two had met different moments of it (`GET /me` alone moved between 695 and 1,289 answers a
second from one run to the next).
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from uuid import UUID

from bench import loadgen, statements
from bench.baselines import library_saves_per_second, raw_commits_per_second
from bench.generate import PASSWORD, generated, on_store
from bench.procfs import accepted_by, tree_cpu_seconds, tree_peaks_mib, workers
from bench.stats import Figure, latencies_ms, percentile
from service.app.coproduce import Coproduce
from tests.processes import environment, start_server, start_worker, stop

UNLIMITED = "1000000000 per minute"  # the rate limit would otherwise be what is measured
SHORT = {"Prefer": "return=minimal"}
API = "/api/v1"
SLICES = 5
CEILINGS = {"GET /healthz, no store": "/healthz", "signed-in GET /me": API + "/me"}


@dataclass
class Settings:
    events: int = 10_000  # the store's size before the load
    clients: int = 16
    requests_each: int = 50
    workers: int = 2
    baseline_saves: int = 1_000


def open_issues(database_url: str, include_closed: bool = False) -> tuple[UUID, list[str]]:
    """Hub 0 (the hub of manager `m0`), and its issues that still take input (or all of them)."""
    def ask(app: Coproduce) -> tuple[UUID, list[str]]:
        manager = app.account_by_username("m0")
        hub_id = UUID(manager.hub_ids[0])
        return hub_id, [row.issue_id for row in app.board_issues(hub_id, manager.as_actor())
                        if include_closed or row.stage != "closed"]
    return on_store(database_url, ask)


def contribution(issue_id: str, n: int) -> loadgen.Request:
    return ("POST", f"/issues/{issue_id}/contributions",
            {"text": f"Input number {n}: the bus to the clinic stopped running after six.",
             "channel": "online", "may_quote": True, "attribution": "anonymous"})


def api(request: loadgen.Request) -> loadgen.Request:
    method, path, body = request
    return method, API + path, body


def timeline_read(base: str, token: str, issue_id: str) -> float:
    """Seconds of one read of an issue's timeline, on a new connection. Right after the commands,
    it finds the read models behind them and brings them up to date first: counted in the
    commands' time (bringing the views up to date is part of a command's work), not left to
    weigh on the requests measured after them."""
    client = loadgen.Client(base, token)
    began = time.perf_counter()
    status, _ = client.call("GET", f"/issues/{issue_id}/timeline")
    seconds = time.perf_counter() - began
    client.close()
    if status != 200:
        raise RuntimeError(f"reading the timeline answered {status}")
    return seconds


def ceiling(connections: list[loadgen.Client], requests_each: int, path: str) -> loadgen.Load:
    """Answers of the same server, over the commands' own connections, to requests that record
    nothing (three times as many requests as the commands: they are quick)."""
    return loadgen.run(connections, 3 * requests_each, lambda client, n: ("GET", path, None))


def measure(kind: str, settings: Settings, worker_on_sqlite: bool = False, code: str | None = None) -> list[Figure]:
    """On SQLite the read models are caught up inline by default (a command is answered once
    they show it); `worker_on_sqlite` runs them in a projection worker instead, as PostgreSQL does.
    `code`: another checkout serves (first on the server's PYTHONPATH), for before and after."""
    inline = kind == "sqlite" and not worker_on_sqlite
    with generated(kind, settings.events) as url:
        _, issues = open_issues(url)
        if len(issues) <= settings.clients:
            raise ValueError(f"{len(issues)} open issues in hub 0: the {settings.clients} clients need one more")
        unwritten = issues[settings.clients]  # the clients write to issues[client]: not this one
        env = environment(url, COPRODUCE_RATE_LIMIT=UNLIMITED, COPRODUCE_PROJECTIONS="inline" if inline else "worker",
                          **({"PYTHONPATH": code} if code else {}))
        server, base = start_server(env, settings.workers)
        worker = None if inline else start_worker(env, interval=None)  # as operators run it
        try:
            idle = tree_peaks_mib(server.pid)
            token = loadgen.sign_in(base, "e0-0", PASSWORD)
            request = lambda client, n: api(contribution(issues[client % len(issues)], n))  # noqa: E731
            with loadgen.connected(base.removesuffix(API), token, settings.clients, workers(server.pid),
                                   lambda ports: accepted_by(server.pid, ports)) as connections:
                loadgen.run(connections, 3, request, SHORT)  # warm the caches
                load, cpu, each = loadgen.Load(), 0.0, max(1, settings.requests_each // SLICES)
                reads: list[float] = []  # each fifth's read that brought the views up to date
                again: list[float] = []  # the same read, once they were
                answers = {name: loadgen.Load() for name in CEILINGS}
                for part in range(SLICES):
                    before = tree_cpu_seconds(server.pid)
                    commands = loadgen.run(connections, each, lambda client, n, part=part: request(
                        client, part * each + n), SHORT)
                    reads.append(timeline_read(base, token, unwritten))
                    commands.seconds += reads[-1]
                    cpu += tree_cpu_seconds(server.pid) - before
                    again.append(timeline_read(base, token, unwritten))
                    load.add(commands)
                    for name, path in CEILINGS.items():
                        answers[name].add(ceiling(connections, each, path))
                peaks = tree_peaks_mib(server.pid)
        finally:
            told = stop(server)
            if worker:
                stop(worker)
        library = library_saves_per_second(url, settings.baseline_saves)
        raw = raw_commits_per_second(url, settings.baseline_saves)
        sql = statements.measure(url, "inline" if inline else "worker", code)
    if load.statuses[0]:
        print(f"The server stopped answering; its last words:\n{told[-3000:]}", file=sys.stderr)
    failed = {status: n for status, n in load.statuses.items() if not 200 <= status < 300}
    note = (f"{settings.clients} clients, {settings.workers} workers; p50/p95/p99 {latencies_ms(load.latencies)} ms; "
            f"server CPU {cpu / max(load.ok, 1) * 1000:.1f} ms per command; SQL statements per command "
            f"{sql['command']:.1f}" + f" (+ {sql['catch_up']:.1f} in the {'background' if inline else 'worker'})"
            + f", per GET /me {sql['me']:.1f}; the read after each fifth {min(reads) * 1000:.0f}–"
            f"{max(reads) * 1000:.0f} ms (again, up to date: {min(again) * 1000:.0f}–{max(again) * 1000:.0f} ms)"
            + (f"; not 2xx: {failed}" if failed else ""))
    p99 = percentile(load.latencies, 99) * 1000
    rate, sqlite = load.per_second, kind == "sqlite"  # the issue sets its target on SQLite
    label = "HTTP commands" + (", projection worker" if sqlite and not inline else "")
    return [
        Figure(label, kind, rate, "/s", library, "library, 1 event per save", "≥ 1×" if sqlite else "",
               rate >= library if sqlite else None, note),
        Figure(label, kind, rate, "/s", raw, "raw 1-row commits"),
        *[Figure(label, kind, rate, "/s", answered.per_second, f"same server, {request}",
                 *(("≥ 0.5×, p99 < 100 ms", rate >= 0.5 * answered.per_second and p99 < 100)
                   if "/me" in request else ()),
                 note=note if "/me" in request else "")
          for request, answered in answers.items()],
        Figure("server peak RSS under load", kind, sum(peaks.values()), "MiB", sum(idle.values()),
               "same server idle", note=f"master and {len(peaks) - 1} workers, summed"),
    ]
