"""Projection rebuild rate (events/s) beside two baselines of the same run, and a rebuild's peak
memory beside the log read's, in a process of its own so that nothing else swells it.

The baselines: reading and decoding the raw log; and the rebuild's floor, that same read and
decode plus writing the very rows the rebuild produced, in bulk (batches of `REBUILD_BATCH`
rows a transaction, by the rebuild's own bulk writer), into empty copies of the views' tables,
then making their indexes (SQLite: a fresh file beside the store, opened as the store is;
PostgreSQL: a schema of their own in the same database). A rebuild cannot do less than that.

    python -m bench.rebuild --database-url URL     # prints one JSON line
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import MetaData, select
from sqlalchemy.schema import CreateIndex, DropIndex

from bench.baselines import decoded_log_read_per_second
from bench.generate import generated, on_store
from bench.procfs import children_peak_mib, own_peak_mib
from bench.stats import Figure
from projections.bulk import inserting
from projections.runner import REBUILD_BATCH, collector_paused
from service.infra.store import Store


FLOOR_SCHEMA = "rebuild_floor"


def rebuild_once(database_url: str) -> dict[str, float]:
    def run(app) -> dict[str, float]:
        read_rate, events = decoded_log_read_per_second(app)
        read_peak = own_peak_mib()
        started = time.perf_counter()
        app.projections.rebuild()
        seconds = time.perf_counter() - started
        rebuild_peak = own_peak_mib() + children_peak_mib() * (len(app.projections.shares()) - 1)
        rows, write_seconds = rows_written_again(app, database_url)
        floor_seconds = events / read_rate + write_seconds
        return {"events": events, "views": len(app.projections.rebuilt_by_default()),
                "processes": len(app.projections.shares()), "read_rate": read_rate,
                "read_peak_mib": read_peak,
                "rebuild_rate": events / seconds, "rebuild_peak_mib": rebuild_peak,
                "floor_rate": events / floor_seconds, "rows": rows, "write_seconds": write_seconds}
    return on_store(database_url, run)


def rows_written_again(app, database_url: str) -> tuple[int, float]:
    """The rows the rebuild left in its views, written again in bulk into empty copies of their
    tables, the secondary indexes made once all rows are in (the cheaper way to the same tables, as
    the rebuild does it): (rows, seconds of writing and indexing, reading them back not counted)."""
    chosen = [view for view in app.projections.views.values() if not view.keep]
    store = Store.parse(database_url)
    copies = MetaData()
    tables = [(table, table.to_metadata(copies, schema=None if store.is_sqlite else FLOOR_SCHEMA))
              for view in chosen for table in view.metadata.sorted_tables]
    if store.is_sqlite:
        floor_path = Path(store.url.database).with_name("rebuild-floor.db")
        floor_path.unlink(missing_ok=True)
        engine = Store.parse(f"sqlite:///{floor_path}").engine()
    else:
        engine = app.engine
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {FLOOR_SCHEMA} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {FLOOR_SCHEMA}")
    try:
        copies.create_all(engine)
        with app.engine.connect() as conn:
            rows = {copy: [row._asdict() for row in conn.execute(select(table))] for table, copy in tables}
        indexes = [index for copy in rows for index in copy.indexes if not index.unique]
        with engine.begin() as conn:
            for index in indexes:
                conn.execute(DropIndex(index))
        seconds = 0.0
        with engine.connect() as conn, collector_paused():
            for copy, written in rows.items():
                started = time.perf_counter()
                for at in range(0, len(written), REBUILD_BATCH):
                    with conn.begin():
                        inserting(copy, conn.dialect).run(conn, written[at:at + REBUILD_BATCH])
                seconds += time.perf_counter() - started
            started = time.perf_counter()
            with conn.begin():
                for index in indexes:
                    conn.execute(CreateIndex(index))
            seconds += time.perf_counter() - started
        return sum(len(written) for written in rows.values()), seconds
    finally:
        if store.is_sqlite:
            engine.dispose()
            for path in floor_path.parent.glob("rebuild-floor.db*"):
                path.unlink()
        else:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {FLOOR_SCHEMA} CASCADE")


def measure(kind: str, events: int, keep: str | None = None, runs: int = 1) -> list[Figure]:
    """`runs` rebuilds of one store, each in a process of its own beside its own baselines; the
    figures are those of the run whose ratio to its floor is the median, the others' ratios noted."""
    with generated(kind, events, keep) as url:
        found = [json.loads(subprocess.run([sys.executable, "-m", "bench.rebuild", "--database-url", url],
                                           check=True, capture_output=True, text=True).stdout.splitlines()[-1])
                 for _ in range(runs)]
    found.sort(key=lambda run: run["rebuild_rate"] / run["floor_rate"])
    median = found[len(found) // 2]
    rate, read, floor = median["rebuild_rate"], median["read_rate"], median["floor_rate"]
    note = f"{median['events']:,.0f} events, {median['views']} views in {median['processes']} processes" + (
        "; ratio to the floor in each of {} runs: {}".format(
            runs, ", ".join(f"{run['rebuild_rate'] / run['floor_rate']:.2f}×" for run in found)) if runs > 1 else "")
    return [
        Figure("projection rebuild", kind, rate, "events/s", floor,
               f"floor: read and decode the log, write its {median['rows']:,.0f} rows in bulk", "≥ 0.7×",
               rate >= 0.7 * floor, note),
        Figure("projection rebuild", kind, rate, "events/s", read, "read and decode the log", note=note),
        Figure("rebuild peak RSS", kind, median["rebuild_peak_mib"], "MiB", median["read_peak_mib"],
               "after reading the log", note=note + "; every process's peak summed"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    print(json.dumps(rebuild_once(parser.parse_args().database_url)))


if __name__ == "__main__":
    main()
