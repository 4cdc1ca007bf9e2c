"""The audit trail as a download: JSON Lines or CSV, streamed a batch at a time."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

COLUMNS = ["position", "occurred_at", "actor_id", "actor_role", "hub_id", "issue_id", "aggregate",
           "aggregate_id", "kind"]
MIMETYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv"}
BATCH = 1000


class Export(NamedTuple):
    lines: Iterator[str]
    mimetype: str
    filename: str


def export(batches: Callable[[int, int], list[dict[str, Any]]], fmt: str, limit: int, after: int) -> Export:
    """`batches(after, limit)`: the next events of the trail; so an export of millions never sits in memory."""
    rows = _all_events(batches, limit, after)
    return Export(_jsonl(rows) if fmt == "jsonl" else _csv(rows), MIMETYPES[fmt], f"coproduce-audit.{fmt}")


def _all_events(batches: Callable[[int, int], list[dict[str, Any]]], remaining: int, after: int
                ) -> Iterator[dict[str, Any]]:
    while remaining > 0:
        batch = batches(after, min(BATCH, remaining))
        if not batch:
            return
        yield from batch
        after, remaining = batch[-1]["position"], remaining - len(batch)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k].isoformat() if k == "occurred_at" else row[k] for k in COLUMNS}


def _jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(_plain(row)) + "\n"


def _csv(rows: Iterator[dict[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(_plain(row))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
