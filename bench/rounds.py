"""Priority rounds at scale: closing a round of 10,000 voters, and the vote page on stores of growing size.

    python -m bench.rounds --closing                         # 10,000 voters, SQLite and PostgreSQL: about a minute
    python -m bench.rounds --vote-page --sizes 10000 100000  # p95 of the vote page per size (1,000,000: add it, long)
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import time
from collections.abc import Iterator
from datetime import date, timedelta
from uuid import UUID, uuid4

from bench import loadgen
from bench.commands import UNLIMITED
from bench.generate import PASSWORD, Generator, generated, on_store
from bench.reads import web_sign_in
from bench.scratch import scratch_store
from bench.stats import HEADER, Figure, latencies_ms, percentile
from domain import Actor, Role, Stage
from domain.priorities import decode_ballot
from tests.processes import environment, start_server, stop

CLOSE_TARGET_S = 1.0
PAGE_RATIO = 1.5  # the vote page's p95 at any size, beside its p95 at the smallest


def round_of(app, voters: int, issues: int = 8) -> tuple[UUID, Actor]:
    """A hub with `issues` issues in Frame and an open round over them, and `voters` ballots in it
    (each from an expert id of its own, 3 dots spread at random), saved 500 at a time."""
    generator = Generator(app, seed=11)
    cast = generator.hub(0)
    framed = [generator.issue(cast, stop=Stage.FRAME) for _ in range(issues)]
    generator.batch.add(*framed)
    generator.batch.flush()
    round_id = app.open_round(cast.hub.id, [i.id for i in framed], date.today() + timedelta(days=7), cast.manager)
    ballots = app._round(round_id)
    seal = functools.partial(app.sealer.seal, round_id)
    ids = ballots.issue_ids
    for n in range(voters):
        spread = {ids[n % len(ids)]: 2, ids[(n + 1 + n % 7) % len(ids)]: 1}  # two different issues
        choices = spread if n % 3 else {ids[n % len(ids)]: 3}
        ballots.cast(choices, seal, Actor(uuid4(), Role.EXPERT))
        if len(ballots.pending_events) >= 500:
            app.save(ballots)
    app.save(ballots)
    return round_id, cast.manager


def closing(kind: str, voters: int = 10_000, runs: int = 3) -> list[Figure]:
    """Close and rank a round of `voters` ballots in a fresh process (nothing cached): loading the round,
    opening every ballot, counting, saving the ranking on each issue; the median of `runs` rounds, each on
    a store of its own. Beside it, opening the ballots alone."""
    took, alone = [], []
    for _ in range(runs):
        with scratch_store(kind) as url:
            round_id, manager = on_store(url, lambda app: round_of(app, voters))
            alone.append(on_store(url, lambda app: _opening(app, round_id)))
            took.append(on_store(url, lambda app: _closing(app, round_id, manager)))
    median, baseline = percentile(took, 50), percentile(alone, 50)
    return [Figure(f"close and rank a round of {voters:,} voters", kind, median * 1000, "ms", baseline * 1000,
                   "opening the ballots alone", f"< {CLOSE_TARGET_S * 1000:g} ms", median < CLOSE_TARGET_S,
                   f"median of {runs}, each in a fresh process: the round loaded (its latest snapshot, then "
                   f"later ballots), every ballot opened and counted, the ranking saved on each of its 8 issues, "
                   f"the round's key destroyed; slowest {max(took) * 1000:.0f} ms")]


def _opening(app, round_id: UUID) -> float:
    ballots, unseal = app._round(round_id), app.opener()
    began = time.perf_counter()
    for sealed in ballots.ballots.values():
        decode_ballot(ballots.issue_ids, unseal(sealed))
    return time.perf_counter() - began


def _closing(app, round_id: UUID, manager: Actor) -> float:
    began = time.perf_counter()
    app.close_round(round_id, manager)
    took = time.perf_counter() - began
    closed = app._round(round_id)
    if sum(r.dots for r in closed.ranking) != 3 * len(closed.ballots):
        raise RuntimeError("the count is not every ballot's 3 dots")
    return took


@contextlib.contextmanager
def vote_page_site(url: str) -> Iterator[tuple[loadgen.Client, str]]:
    """A server on the store at `url`, an open round in hub 0 (opened once: kept stores keep it), and
    the expert e0-0 signed in to the pages."""
    def ensure_round(app) -> UUID:
        manager = app.account_by_username("m0").as_actor()
        hub_id = UUID(app.account_by_username("m0").hub_ids[0])
        if not app.hub(hub_id).round_ids:
            framed = [UUID(row.issue_id) for row in app.board_issues(hub_id, manager)
                      if row.stage == "frame" and row.parked_reason is None][:5]
            app.open_round(hub_id, framed, date.today() + timedelta(days=365), manager)
            app.cast_ballot(UUID(app.hub(hub_id).round_ids[-1]), {framed[0]: 3},
                            app.account_by_username("e0-0").as_actor())
        app.projections.catch_up()
        return hub_id

    hub_id = on_store(url, ensure_round)
    server, base = start_server(environment(url, COPRODUCE_RATE_LIMIT=UNLIMITED))
    try:
        root = base.removesuffix("/api/v1")
        yield loadgen.Client(root, headers={"Cookie": web_sign_in(root, "e0-0", PASSWORD)}), f"/hubs/{hub_id}/priorities"
    finally:
        stop(server)


def vote_page(kind: str, sizes: tuple[int, ...], samples: int = 200, keep: str | None = None) -> list[Figure]:
    """p95 of the expert's 'What matters most to you?' page at each size, beside the smallest; the sizes
    are asked in turn, request by request."""
    with contextlib.ExitStack() as stack:
        sites = {n: stack.enter_context(vote_page_site(stack.enter_context(generated(kind, n, keep)))) for n in sizes}
        found: dict[int, list[float]] = {n: [] for n in sizes}
        for n in range(samples + 5):
            for events, (client, path) in sites.items():
                began = time.perf_counter()
                status, _ = client.call("GET", path)
                if status != 200:
                    raise RuntimeError(f"the vote page answered {status} at {events:,} events")
                if n >= 5:  # the first five warm up
                    found[events].append(time.perf_counter() - began)
    base = percentile(found[sizes[0]], 95) * 1000
    return [Figure("read p95: vote page (web)", kind, percentile(found[n], 95) * 1000, "ms", base,
                   f"same page at {sizes[0]:,} events", f"≤ {PAGE_RATIO}×",
                   percentile(found[n], 95) * 1000 <= PAGE_RATIO * base,
                   f"{n:,} events; p50/p95/p99 {latencies_ms(found[n])} ms") for n in sizes[1:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--closing", action="store_true")
    parser.add_argument("--vote-page", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--stores", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--keep", help="folder for the generated SQLite stores, kept between runs")
    args = parser.parse_args()
    figures = []
    for kind in args.stores:
        if args.closing:
            figures += closing(kind)
        if args.vote_page:
            figures += vote_page(kind, tuple(args.sizes), keep=args.keep if kind == "sqlite" else None)
    print(HEADER)
    for figure in figures:
        print(figure.row())


if __name__ == "__main__":
    main()
