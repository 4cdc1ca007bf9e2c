"""Read latency of an issue, the timeline, my input, hub board, accountability report, audit trail, an
action owner's actions and the facilitator's session form (a web page), over real HTTP, on stores of growing size: p95 at each size beside p95 at the smallest,
each size served by its own server and asked in turn.

Every hub holds about the same number of issues and people at any size (see generate.py),
so the same questions are asked of the same amount of data: only the store around it grows.
"""

from __future__ import annotations

import contextlib
import http.client
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

from bench import loadgen
from bench.commands import UNLIMITED, open_issues
from bench.generate import PASSWORD, generated, on_store
from bench.stats import Figure, latencies_ms, percentile
from tests.processes import environment, start_server, stop

TARGET_RATIO, TARGET_MS = 1.5, 20.0
K = TypeVar("K")  # what tells the sites apart: a store's size, or a build's name


@dataclass
class Settings:
    sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    samples: int = 200  # requests per page and size
    keep: str | None = None  # folder where generated SQLite stores are kept between runs


PAGES = ("issue", "timeline", "my input", "hub board", "accountability", "audit trail", "my input (auditor)", "my actions",
         "session form (web)")
WEB = "f0 (web)"  # the facilitator, signed in to the pages with a session cookie rather than a token


def pages(hub_id: str, issues: list[str], expert_id: str) -> dict[str, tuple[str, list[str]]]:
    """Page name → (who asks, the paths it may ask: one, or one per issue of the hub)."""
    return {
        "issue": ("e0-0", [f"/issues/{issue}" for issue in issues]),
        "timeline": ("e0-0", [f"/issues/{issue}/timeline" for issue in issues]),
        "my input": ("e0-0", ["/me/input"]),
        "hub board": ("m0", [f"/hubs/{hub_id}/board"]),
        "accountability": ("m0", [f"/hubs/{hub_id}/accountability"]),
        "audit trail": ("auditor", [f"/audit?issue_id={issue}&limit=100" for issue in issues]),
        "my input (auditor)": ("auditor", [f"/accounts/{expert_id}/input"]),
        "my actions": ("o0", ["/me/actions"]),
        "session form (web)": (WEB, [f"/hubs/{hub_id}/sessions/new"]),
    }


def web_sign_in(site_root: str, username: str, password: str) -> str:
    """The session cookie of someone signed in to the pages (as a browser would: the form's CSRF token first)."""
    parts = urlsplit(site_root)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        connection.request("GET", "/sign-in")
        answer = connection.getresponse()
        page, cookie = answer.read().decode(), answer.getheader("Set-Cookie", "").split(";")[0]
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urlencode({"username": username, "password": password, "csrf_token": token})
        connection.request("POST", "/sign-in", form, {"Content-Type": "application/x-www-form-urlencoded",
                                                      "Cookie": cookie})
        answer = connection.getresponse()
        answer.read()
        if answer.status != 303:
            raise RuntimeError(f"signing in to the pages as {username} failed: {answer.status}")
        return answer.getheader("Set-Cookie").split(";")[0]
    finally:
        connection.close()


@dataclass
class Site:
    """A store of one size, served by its own server: a signed-in client per reader, and the
    paths asked of each page, one per sample."""

    clients: dict[str, loadgen.Client]
    asked: dict[str, tuple[str, list[str]]]

    def time(self, page: str, n: int) -> float:
        who, paths = self.asked[page]
        began = time.perf_counter()
        status, _ = self.clients[who].call("GET", paths[n])
        if status != 200:
            raise RuntimeError(f"{page}: {paths[n]} answered {status}")
        return time.perf_counter() - began


@contextlib.contextmanager
def site(kind: str, events: int, settings: Settings) -> Iterator[Site]:
    with generated(kind, events, settings.keep) as url, served(url, settings.samples) as one:
        yield one


@contextlib.contextmanager
def served(url: str, samples: int, ids_from: str = "", **env: str) -> Iterator[Site]:
    """A server of its own on the store at `url` (with `env` added to its environment), its readers
    signed in, and the paths each page asks. The ids are read from `ids_from`, a copy of the same
    store, when this code cannot open `url` itself."""
    hub_id, issues = open_issues(ids_from or url, include_closed=True)
    expert_id = on_store(ids_from or url, lambda app: str(app.account_by_username("e0-0").id))
    server, base = start_server(environment(url, COPRODUCE_RATE_LIMIT=UNLIMITED, **env))
    try:
        clients = {who: loadgen.Client(base, loadgen.sign_in(base, who, PASSWORD))
                   for who in ("e0-0", "m0", "auditor", "o0")}
        root = base.removesuffix("/api/v1")
        clients[WEB] = loadgen.Client(root, headers={"Cookie": web_sign_in(root, "f0", PASSWORD)})
        rng = random.Random(7)
        asked = {page: (who, rng.choices(paths, k=samples))
                 for page, (who, paths) in pages(str(hub_id), issues, expert_id).items()}
        yield Site(clients, asked)
    finally:
        stop(server)


def timed(sites: dict[K, Site], samples: int) -> dict[K, dict[str, list[float]]]:
    """Each site's latencies (seconds) per page. The sites take turns request by request, so a
    busy moment on the machine falls on all of them alike."""
    found: dict[K, dict[str, list[float]]] = {events: {} for events in sites}
    for page in PAGES:
        for events, one in sites.items():
            for n in range(5):  # warm up
                one.time(page, n)
            found[events][page] = []
        for n in range(samples):
            for events, one in sites.items():
                found[events][page].append(one.time(page, n))
    return found


def measure(kind: str, settings: Settings) -> list[Figure]:
    with contextlib.ExitStack() as stack:
        sites = {events: stack.enter_context(site(kind, events, settings)) for events in settings.sizes}
        by_size = timed(sites, settings.samples)
    smallest = by_size[settings.sizes[0]]
    figures = []
    for events, found in list(by_size.items())[1:]:
        for page, latencies in found.items():
            p95, base = percentile(latencies, 95) * 1000, percentile(smallest[page], 95) * 1000
            figures.append(Figure(
                f"read p95: {page}", kind, p95, "ms", base, f"same page at {settings.sizes[0]:,} events",
                f"≤ {TARGET_RATIO}×, < {TARGET_MS:g} ms", p95 <= TARGET_RATIO * base and p95 < TARGET_MS,
                f"{events:,} events; p50/p95/p99 {latencies_ms(latencies)} ms"))
    return figures
