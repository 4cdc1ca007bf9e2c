"""Read latency of the timeline, my input, hub board, accountability report and audit trail,
over real HTTP, on stores of growing size: p95 at each size beside p95 at the smallest.

Every hub holds about the same number of issues and people at any size (see generate.py),
so the same questions are asked of the same amount of data: only the store around it grows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench import loadgen
from bench.commands import UNLIMITED, open_issues
from bench.generate import PASSWORD, generated, on_store
from bench.stats import Figure, latencies_ms, percentile
from tests.processes import environment, start_server, stop

TARGET_RATIO, TARGET_MS = 1.5, 20.0


@dataclass
class Settings:
    sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    samples: int = 200  # requests per page and size
    keep: str | None = None  # folder where generated SQLite stores are kept between runs


def pages(hub_id: str, issues: list[str], expert_id: str) -> dict[str, tuple[str, list[str]]]:
    """Page name → (who asks, the paths asked, one per sample, spread over the hub's issues)."""
    return {
        "timeline": ("e0-0", [f"/issues/{issue}/timeline" for issue in issues]),
        "my input": ("e0-0", ["/me/input"]),
        "hub board": ("m0", [f"/hubs/{hub_id}/board"]),
        "accountability": ("m0", [f"/hubs/{hub_id}/accountability"]),
        "audit trail": ("auditor", [f"/audit?issue_id={issue}&limit=100" for issue in issues]),
        "my input (auditor)": ("auditor", [f"/accounts/{expert_id}/input"]),
    }


def p95s(kind: str, events: int, settings: Settings) -> dict[str, list[float]]:
    """Each page's latencies (seconds) on a store of `events` events."""
    with generated(kind, events, settings.keep) as url:
        hub_id, issues = open_issues(url, include_closed=True)
        expert_id = on_store(url, lambda app: str(app.account_by_username("e0-0").id))
        server, base = start_server(environment(url, COPRODUCE_RATE_LIMIT=UNLIMITED))
        try:
            found = {}
            for page, (who, paths) in pages(str(hub_id), issues, expert_id).items():
                token = loadgen.sign_in(base, who, PASSWORD)
                chosen = random.Random(events).choices(paths, k=settings.samples)
                loadgen.run(base, token, 1, 5, lambda _, n: ("GET", chosen[n], None))  # warm up
                found[page] = loadgen.run(base, token, 1, settings.samples,
                                          lambda _, n: ("GET", chosen[n], None)).latencies
        finally:
            stop(server)
    return found


def measure(kind: str, settings: Settings) -> list[Figure]:
    by_size = {events: p95s(kind, events, settings) for events in settings.sizes}
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
