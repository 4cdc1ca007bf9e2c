"""Commands of two builds in turn, each beside its own server's signed-in `GET /api/v1/me`, in
the three modes (SQLite inline, SQLite with a projection worker, PostgreSQL with a worker),
`--runs` times each, so that a busy machine weighs on both builds alike.

    python -m bench.command_builds --before-code /path/to/old/checkout --runs 3
"""

from __future__ import annotations

import argparse
import statistics

from bench import commands
from bench.stats import Figure

MODES = {"sqlite inline": ("sqlite", False), "sqlite worker": ("sqlite", True), "postgres worker": ("postgres", False)}


def against_me(figures: list[Figure]) -> Figure:
    return next(figure for figure in figures if "/me" in figure.baseline_name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before-code", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests-each", type=int, default=25)
    parser.add_argument("--mode", choices=list(MODES), action="append", help="only this mode (may be repeated)")
    options = parser.parse_args()
    settings = commands.Settings(events=4_000, clients=options.clients, requests_each=options.requests_each)
    for mode in options.mode or MODES:
        kind, worker = MODES[mode]
        ratios: dict[str, list[float]] = {"before": [], "after": []}
        for run in range(options.runs):
            for build, code in (("before", options.before_code), ("after", None)):
                figure = against_me(commands.measure(kind, settings, worker, code))
                ratios[build].append(figure.ratio)
                print(f"| {mode} | {build} | run {run + 1} | {figure.value:,.1f}/s | {figure.baseline:,.1f}/s | "
                      f"{figure.ratio:.2f}× | {figure.note} |", flush=True)
        for build, found in ratios.items():
            print(f"| {mode} | {build} | median of {len(found)} | | | {statistics.median(found):.2f}× "
                  f"(spread {min(found):.2f}–{max(found):.2f}×) | |", flush=True)


if __name__ == "__main__":
    main()
