"""Run every benchmark and print one markdown table (paste it into docs/performance.md).

    python -m bench.run --quick          # small sizes, SQLite and PostgreSQL, under 2 minutes
    python -m bench.run --full --keep var/bench   # 10k/100k/1M events; keeps the generated SQLite stores
    python -m bench.run --quick --only reads      # one benchmark
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import subprocess
import time
from collections.abc import Callable

import psycopg

from bench import commands, public, reads, rebuild, snapshots
from bench.scratch import POSTGRES
from bench.stats import HEADER, Figure

Benchmark = Callable[[], list[Figure]]


def quick() -> dict[str, list[Benchmark]]:
    load = commands.Settings(events=4_000, clients=8, requests_each=25)
    return {"commands": [lambda: commands.measure("sqlite", load), lambda: commands.measure("sqlite", load, True),
                         lambda: commands.measure("postgres", load)],
            "reads": [lambda: reads.measure("sqlite", reads.Settings(sizes=(4_000, 16_000), samples=30))],
            "rebuild": [lambda: rebuild.measure("sqlite", 8_000)],
            "snapshots": [lambda: snapshots.measure("sqlite", loads=3)],
            "public": [lambda: public.measure("sqlite", (4_000, 16_000), samples=30),
                       lambda: public.brute_force("sqlite", 1_000, events=4_000)]}


def full(keep: str | None) -> dict[str, list[Benchmark]]:
    load = commands.Settings(events=20_000, clients=16, requests_each=100)
    return {"commands": [lambda: commands.measure("sqlite", load), lambda: commands.measure("sqlite", load, True),
                         lambda: commands.measure("postgres", load)],
            "reads": [lambda: reads.measure("sqlite", reads.Settings(keep=keep)),
                      lambda: reads.measure("postgres", reads.Settings(sizes=(10_000, 100_000)))],
            "rebuild": [lambda: rebuild.measure("sqlite", 100_000, keep), lambda: rebuild.measure("postgres", 100_000)],
            "snapshots": [lambda: snapshots.measure("sqlite"), lambda: snapshots.measure("postgres")],
            "public": [lambda: public.measure("sqlite", (10_000, 100_000, 1_000_000), keep=keep),
                       lambda: public.brute_force("sqlite", 1_000, keep=keep)]}


def machine() -> str:
    """What the figures ran on."""
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lscpu if line.startswith("Model name")), "?")
    with psycopg.connect(f"{POSTGRES}/postgres") as db:
        postgres = db.execute("SHOW server_version").fetchone()[0]
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, PostgreSQL {postgres}, {platform.system()} {platform.release()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--quick", action="store_true")
    mode.add_argument("--full", action="store_true")
    parser.add_argument("--keep", help="folder for generated SQLite stores, used again by later runs")
    parser.add_argument("--only", choices=["commands", "reads", "rebuild", "snapshots", "public"], action="append",
                        help="run only this benchmark (may be given more than once)")
    options = parser.parse_args()
    chosen = quick() if options.quick else full(options.keep)
    started = time.perf_counter()
    print(f"Machine: {machine()}\n")
    print(HEADER, flush=True)
    for name in options.only or chosen:
        for benchmark in chosen[name]:
            for figure in benchmark():
                print(figure.row(), flush=True)
    print(f"\n{'quick' if options.quick else 'full'} run: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
