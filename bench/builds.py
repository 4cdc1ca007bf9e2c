"""Read latency of two builds of Coproduce on copies of one store: "before" served by another
checkout of the code (first on its server's PYTHONPATH), "after" by this one. The two servers
are asked in turn, request by request, so a busy machine weighs on both alike.

    python -m bench.builds --before-code /path/to/old/checkout \\
        --before-store var/old/1000000.db --after-store var/new/1000000.db

The after store is a copy of the before store, brought up to date by this build's
`coproduce init`; its ids are the same, and this build reads them from it.
"""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

from bench import reads
from bench.stats import latencies_ms, percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before-code", type=Path, required=True)
    parser.add_argument("--before-store", type=Path, required=True)
    parser.add_argument("--after-store", type=Path, required=True)
    parser.add_argument("--samples", type=int, default=200, help="requests per page and build")
    options = parser.parse_args()
    before, after = (f"sqlite:///{path.resolve()}" for path in (options.before_store, options.after_store))
    with contextlib.ExitStack() as stack:
        sites = {"before": stack.enter_context(reads.served(before, options.samples, ids_from=after,
                                                            PYTHONPATH=str(options.before_code.resolve()))),
                 "after": stack.enter_context(reads.served(after, options.samples))}
        found = reads.timed(sites, options.samples)
    print("| page | p95 before | p95 after | after / before | p50/p95/p99 before | p50/p95/p99 after |")
    print("| --- | --- | --- | --- | --- | --- |")
    for page in reads.PAGES:
        old, new = (percentile(found[build][page], 95) * 1000 for build in ("before", "after"))
        print(f"| {page} | {old:.1f} ms | {new:.1f} ms | {new / old:.2f}× | "
              f"{latencies_ms(found['before'][page])} | {latencies_ms(found['after'][page])} |")


if __name__ == "__main__":
    main()
