"""SQL statements per command and per signed-in `GET /api/v1/me`, counted at the database driver.

In a process of its own, the site is served in process (Flask's test client, one request at a
time) on a generated store, and every statement the drivers send is counted: on SQLite through
`sqlite3`'s trace callback on every connection (the implicit BEGIN and the COMMIT included), on
PostgreSQL by counting psycopg's executions, COPYs, commits and rollbacks. The hook lives here,
not in the product. The views' catch-up is counted apart: with a projection worker it runs
after the commands, as the worker would; inline, the server's background thread runs it
(statements of threads other than the one sending requests), and what is left is caught up
after the commands.

    python bench/statements.py --database-url URL --projections inline   # prints one JSON line

Run as a file, so that another checkout's code can be counted with the same hook (PYTHONPATH).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

COMMANDS = 40


class Counter:
    """Statements sent since the last `taken()`, by the thread that sends the requests and by others."""

    def __init__(self) -> None:
        self.count = self.elsewhere = 0
        self.main = threading.main_thread()

    def add(self, *_: Any) -> None:
        if threading.current_thread() is self.main:
            self.count += 1
        else:
            self.elsewhere += 1

    def taken(self) -> int:
        count, self.count = self.count, 0
        return count

    def taken_elsewhere(self) -> int:
        count, self.elsewhere = self.elsewhere, 0
        return count


def counting(counter: Counter) -> None:
    """Every statement of this process counted from now on."""
    connect = sqlite3.connect

    def connect_counted(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection = connect(*args, **kwargs)
        connection.set_trace_callback(counter.add)
        return connection

    sqlite3.connect = sqlite3.dbapi2.connect = connect_counted  # the library calls the one, SQLAlchemy the other
    for owner, name in [(psycopg.Cursor, "execute"), (psycopg.Cursor, "executemany"), (psycopg.Cursor, "copy"),
                        (psycopg.Connection, "commit"), (psycopg.Connection, "rollback")]:
        original = getattr(owner, name)

        def counted(self: Any, *args: Any, __original: Callable = original, **kwargs: Any) -> Any:
            counter.add()
            return __original(self, *args, **kwargs)

        setattr(owner, name, counted)


def count(database_url: str, projections: str) -> dict[str, float]:
    counter = Counter()
    counting(counter)
    os.environ["COPRODUCE_PROJECTIONS"] = projections
    from bench.commands import UNLIMITED, contribution, open_issues
    from bench.generate import PASSWORD
    from service.bootstrap import create_app

    _, issues = open_issues(database_url)
    app = create_app({"database_url": database_url, "rate_limit": UNLIMITED})
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "e0-0", "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    coproduce = app.extensions["coproduce"]

    def post(n: int) -> None:
        method, path, body = contribution(issues[n % len(issues)], n)
        answer = client.open("/api/v1" + path, method=method, json=body, headers=headers | {"Prefer": "return=minimal"})
        assert answer.status_code == 201, answer.get_data(as_text=True)

    for n in range(len(issues)):  # every issue in the cache, as on a warm server
        post(n)
    for _ in range(3):
        client.get("/api/v1/me", headers=headers)
    coproduce.projections.catch_up()  # what the load before left behind is not counted
    time.sleep(0.3)  # nor the background's catch-up, which then finds nothing
    counter.taken(), counter.taken_elsewhere()
    for _ in range(COMMANDS):
        assert client.get("/api/v1/me", headers=headers).status_code == 200
    me = counter.taken() / COMMANDS
    for n in range(COMMANDS):
        post(n)
    command = counter.taken() / COMMANDS
    coproduce.projections.catch_up()
    return {"me": me, "command": command, "catch_up": (counter.taken() + counter.taken_elsewhere()) / COMMANDS}


def measure(database_url: str, projections: str, code: str | None = None) -> dict[str, float]:
    """Counted in a process of its own, by the code at `code` (another checkout), or by this one."""
    env = {**os.environ, "PYTHONPATH": code or str(Path(__file__).resolve().parents[1])}
    out = subprocess.run([sys.executable, __file__, "--database-url", database_url, "--projections", projections],
                         check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--projections", choices=["inline", "worker"], required=True)
    options = parser.parse_args()
    print(json.dumps(count(options.database_url, options.projections)))


if __name__ == "__main__":
    main()
