"""A load generator: N client threads, each with its own keep-alive connection, on loopback.

A server of several processes takes each connection in whichever process accepts it first: 16
connections were seen split 8/8 in one run and 4/12 in the next, and the process holding 12 then
sets the pace (1,887 against 1,263 answers a second for the same requests). Runs that are compared
with each other therefore go over the same connections (`connected`), and, where the caller can
tell which process holds each connection, connections are opened again until every process
holds as many: the split a balancer would make, and the same in every run.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# (method, path, JSON body or None) for the client's n-th request
Request = tuple[str, str, dict | None]


@dataclass
class Load:
    """What came back: every request's latency (seconds) and status, and the wall time."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if status < 300)

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def add(self, other: Load) -> None:
        """Count `other`, a later part of the same load, in this one."""
        self.latencies.extend(other.latencies)
        self.statuses.update(other.statuses)
        self.seconds += other.seconds


class Client:
    """One keep-alive HTTP connection with a bearer token."""

    def __init__(self, base: str, token: str | None = None, headers: dict[str, str] | None = None):
        parts = urlsplit(base)
        self.prefix = parts.path
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.headers = {"Content-Type": "application/json", **(headers or {})}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, body: dict | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        payload = json.dumps(body).encode() if body is not None else None
        self.connection.request(method, self.prefix + path, payload, {**self.headers, **(headers or {})})
        response = self.connection.getresponse()
        return response.status, response.read()

    def open(self) -> int:
        """Connect now; the port this end was given."""
        self.connection.connect()
        return self.connection.sock.getsockname()[1]

    def close(self) -> None:
        self.connection.close()


def sign_in(base: str, username: str, password: str) -> str:
    """A fresh API token."""
    client = Client(base)
    status, body = client.call("POST", "/tokens", {"username": username, "password": password})
    client.close()
    if status != 201:
        raise RuntimeError(f"signing in as {username} failed: {status} {body[:200]!r}")
    return json.loads(body)["token"]


Holders = Callable[[set[int]], dict[int, int]]  # the client ports given -> the server process holding each


@contextlib.contextmanager
def connected(base: str, token: str, clients: int, processes: list[int] | None = None,
              holders: Holders | None = None) -> Iterator[list[Client]]:
    """`clients` connections, kept for every run made over them; with `processes` and `holders`,
    split evenly among those processes."""
    connections = [Client(base, token) for _ in range(clients)]
    try:
        if processes and holders:
            _split_evenly(connections, processes, holders)
        yield connections
    finally:
        for client in connections:
            client.close()


def _split_evenly(connections: list[Client], processes: list[int], holders: Holders, tries: int = 500) -> None:
    """Open the connections, then open again one held by the busiest process until none holds more
    than one connection more than another."""
    ports = {client.open(): client for client in connections}
    for _ in range(tries):
        held = _held(ports, holders)
        by_process: dict[int, list[int]] = {process: [] for process in processes}
        for port, process in held.items():
            by_process.setdefault(process, []).append(port)
        busiest = max(by_process.values(), key=len)
        if len(busiest) - min(len(found) for found in by_process.values()) <= 1:
            return
        client = ports.pop(busiest[0])
        client.close()
        ports[client.open()] = client
    raise RuntimeError(f"{len(connections)} connections could not be split evenly among {len(processes)} processes")


def _held(ports: dict[int, Client], holders: Holders, wait: float = 5.0) -> dict[int, int]:
    """Which process holds each port's connection, once every one has been accepted."""
    deadline = time.monotonic() + wait
    while True:
        held = holders(set(ports))
        if len(held) == len(ports) or time.monotonic() > deadline:
            return held
        time.sleep(0.01)


def run(connections: list[Client], requests_each: int, request: Callable[[int, int], Request],
        headers: dict[str, str] | None = None) -> Load:
    """A thread for each connection sends `requests_each` requests, `request(client, n)`, one after
    another, each with `headers` as well as the token."""
    load, lock = Load(), threading.Lock()
    start = threading.Barrier(len(connections) + 1)

    def work(number: int) -> None:
        client, mine, codes = connections[number], [], Counter()
        start.wait()
        for n in range(requests_each):
            began = time.perf_counter()
            try:
                status, _ = client.call(*request(number, n), headers=headers)
            except (OSError, http.client.HTTPException):  # the server went away: counted as status 0
                codes[0] += requests_each - n
                break
            mine.append(time.perf_counter() - began)
            codes[status] += 1
        with lock:
            load.latencies.extend(mine)
            load.statuses.update(codes)

    threads = [threading.Thread(target=work, args=(number,)) for number in range(len(connections))]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    load.seconds = time.perf_counter() - began
    return load
