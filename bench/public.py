"""The public side: a published hub's page (no sign-in) over real HTTP on stores of growing size, p95
at each size beside p95 at the smallest; and a brute force of tracking codes against /track, from one
address, which must find nothing and be refused from the 21st wrong code.

    python -m bench.public --sizes 10000 1000000 --keep var/bench   # the hub page at 10k and 1M events
    python -m bench.public --brute-force 1000                        # 1,000 made-up codes
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import time
from collections import Counter
from collections.abc import Iterator
from uuid import UUID

from bench import loadgen
from bench.commands import UNLIMITED
from bench.generate import generated, on_store
from bench.stats import HEADER, Figure, latencies_ms, percentile
from bench.reads import TARGET_MS, TARGET_RATIO
from domain.tracking import new_code
from service.app.coproduce import Coproduce
from tests.processes import environment, start_server, stop


def published_hub(app: Coproduce) -> str:
    """Hub 0, published by its manager (once: a kept store stays published)."""
    manager = app.account_by_username("m0")
    hub_id = UUID(manager.hub_ids[0])
    if not app.hub(hub_id).published:
        app.publish_hub(hub_id, manager.as_actor())
        app.projections.catch_up()
    return str(hub_id)


@contextlib.contextmanager
def public_site(url: str) -> Iterator[tuple[loadgen.Client, str]]:
    """A server of its own on the store at `url`, a client with no account, and hub 0's public page."""
    hub_id = on_store(url, published_hub)
    server, base = start_server(environment(url, COPRODUCE_RATE_LIMIT=UNLIMITED))
    client = loadgen.Client(base.removesuffix("/api/v1"))
    try:
        yield client, f"/public/hubs/{hub_id}"
    finally:
        client.close()
        stop(server)


def _timed(client: loadgen.Client, path: str) -> float:
    try:
        client.call("HEAD", path)  # the server closes a connection idle for a few seconds: open it again
    except (http.client.RemoteDisconnected, ConnectionResetError):
        client.connection.close()
    began = time.perf_counter()
    status, _ = client.call("GET", path)
    if status != 200:
        raise RuntimeError(f"{path} answered {status}")
    return time.perf_counter() - began


def measure(kind: str, sizes: tuple[int, ...], samples: int = 200, keep: str | None = None) -> list[Figure]:
    """p95 of a published hub's public page at each size, the sizes asked in turn request by request."""
    with contextlib.ExitStack() as stack:
        sites = {n: stack.enter_context(public_site(stack.enter_context(generated(kind, n, keep)))) for n in sizes}
        found: dict[int, list[float]] = {n: [] for n in sizes}
        for n, (client, path) in sites.items():
            for _ in range(5):  # warm up: the first answer builds the record, later ones find it kept
                _timed(client, path)
        for _ in range(samples):
            for n, (client, path) in sites.items():
                found[n].append(_timed(client, path))
    base = percentile(found[sizes[0]], 95) * 1000
    return [Figure("read p95: public hub page", kind, percentile(found[n], 95) * 1000, "ms", base,
                   f"same page at {sizes[0]:,} events", f"≤ {TARGET_RATIO}×, < {TARGET_MS:g} ms",
                   percentile(found[n], 95) * 1000 <= TARGET_RATIO * base
                   and percentile(found[n], 95) * 1000 < TARGET_MS,
                   f"{n:,} events; p50/p95/p99 {latencies_ms(found[n])} ms") for n in sizes[1:]]


def brute_force(kind: str, codes: int = 1_000, events: int = 2_000, keep: str | None = None) -> list[Figure]:
    """`codes` made-up tracking codes against /track/<code> from one address: how many found someone
    (none), and from which try on they were refused (the 21st)."""
    with generated(kind, events, keep) as url, public_site(url) as (client, _):
        statuses = [client.call("GET", f"/track/{new_code()}")[0] for _ in range(codes)]
    counted = Counter(statuses)
    first_refused = next((n + 1 for n, status in enumerate(statuses) if status == 429), 0)
    return [Figure("tracking codes found by brute force", kind, counted[200], "codes", codes,
                   "made-up codes tried", "0", counted[200] == 0,
                   f"404: {counted[404]}, 429: {counted[429]}, first refused at try {first_refused}"),
            Figure("first wrong code refused (429)", kind, first_refused, "th try", 21, "the limit's 21st",
                   "= 21", first_refused == 21, "20 wrong codes a minute per address")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--keep", help="folder for generated SQLite stores, used again by later runs")
    parser.add_argument("--brute-force", type=int, metavar="CODES", help="only the brute force, with this many codes")
    options = parser.parse_args()
    print(HEADER)
    figures = (brute_force("sqlite", options.brute_force, keep=options.keep) if options.brute_force
               else measure("sqlite", tuple(options.sizes), options.samples, options.keep))
    for figure in figures:
        print(figure.row(), flush=True)


if __name__ == "__main__":
    main()
