"""Loading an issue of 10,000 events: from its latest snapshot, beside replaying every event."""

from __future__ import annotations

import time
from random import Random
from uuid import UUID

from eventsourcing.application import project_aggregate

from bench.generate import Generator, on_store
from bench.scratch import scratch_store
from bench.stats import Figure, percentile
from domain import Stage


def long_issue(app, events: int) -> UUID:
    """One issue with `events` events: input, and progress notes on one action."""
    generator = Generator(app, seed=7)
    cast = generator.hub(0)
    issue = generator.issue(cast, stop=Stage.ACT)  # told as far as an open action
    action = next(iter(issue.actions))
    rng = Random(7)
    while issue.version + len(issue.pending_events) < events:
        if rng.random() < 0.5:
            generator.contribution(issue, cast)
        else:
            issue.report_progress(UUID(action), f"Progress note {issue.version}", cast.owner)
        if len(issue.pending_events) >= 500:
            generator.batch.add(issue)
    generator.batch.add(issue)
    generator.batch.flush()
    return issue.id


def timings(app, issue_id: UUID, loads: int) -> tuple[list[float], list[float]]:
    """Seconds per load: through the repository (latest snapshot, then later events; no cache),
    and by replaying every stored event."""
    with_snapshot, replayed = [], []
    version = app.repository.get(issue_id).version
    for _ in range(loads):
        started = time.perf_counter()
        assert app.repository.get(issue_id, version=version).version == version  # bypasses the cache
        with_snapshot.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert project_aggregate(None, app.events.get(issue_id)).version == version
        replayed.append(time.perf_counter() - started)
    return with_snapshot, replayed


def measure(kind: str, events: int = 10_000, loads: int = 5) -> list[Figure]:
    with scratch_store(kind) as url:
        issue_id = on_store(url, lambda app: long_issue(app, events))
        with_snapshot, replayed = on_store(url, lambda app: timings(app, issue_id, loads))
    fast, slow = percentile(with_snapshot, 50) * 1000, percentile(replayed, 50) * 1000
    speed_up = slow / fast
    return [Figure("load a 10k-event issue (speed-up)", kind, speed_up, "×", 1.0, "replay = 1×", "≥ 50×",
                   speed_up >= 50, f"median of {loads}: {fast:.1f} ms from snapshot, {slow:.0f} ms replaying "
                                   f"{events:,} events")]
