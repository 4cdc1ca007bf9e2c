"""Projection rebuild rate (events/s) beside reading and decoding the raw log, and a rebuild's
peak memory beside the log read's, in a process of its own so that nothing else swells it.

    python -m bench.rebuild --database-url URL     # prints one JSON line
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from bench.baselines import decoded_log_read_per_second
from bench.generate import generated, on_store
from bench.procfs import own_peak_mib
from bench.stats import Figure


def rebuild_once(database_url: str) -> dict[str, float]:
    def run(app) -> dict[str, float]:
        read_rate, events = decoded_log_read_per_second(app)
        read_peak = own_peak_mib()
        started = time.perf_counter()
        app.projections.rebuild()
        seconds = time.perf_counter() - started
        return {"events": events, "read_rate": read_rate, "read_peak_mib": read_peak,
                "rebuild_rate": events / seconds, "rebuild_peak_mib": own_peak_mib()}
    return on_store(database_url, run)


def measure(kind: str, events: int, keep: str | None = None) -> list[Figure]:
    with generated(kind, events, keep) as url:
        out = subprocess.run([sys.executable, "-m", "bench.rebuild", "--database-url", url],
                             check=True, capture_output=True, text=True).stdout
    found = json.loads(out.splitlines()[-1])
    rate, read = found["rebuild_rate"], found["read_rate"]
    note = f"{found['events']:,.0f} events, 5 views"
    return [
        Figure("projection rebuild", kind, rate, "events/s", read, "read and decode the log", "≥ 0.5×",
               rate >= 0.5 * read, note),
        Figure("rebuild peak RSS", kind, found["rebuild_peak_mib"], "MiB", found["read_peak_mib"],
               "after reading the log", note=note),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    print(json.dumps(rebuild_once(parser.parse_args().database_url)))


if __name__ == "__main__":
    main()
