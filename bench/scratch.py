"""Scratch stores for one benchmark run: a SQLite file in a temporary folder, or a PostgreSQL
database `bench_<pid>_<n>` on the local server, dropped afterwards."""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator

import psycopg

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")
_numbers = itertools.count()


@contextlib.contextmanager
def scratch_store(kind: str) -> Iterator[str]:
    """A database URL for an empty store of `kind` ("sqlite" or "postgres")."""
    if kind == "sqlite":
        folder = tempfile.mkdtemp(prefix="coproduce-bench-")
        try:
            yield f"sqlite:///{folder}/coproduce.db"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    name = f"bench_{os.getpid()}_{next(_numbers)}"
    folder = tempfile.mkdtemp(prefix="coproduce-bench-")  # for the signing key, kept out of var/
    os.environ["COPRODUCE_SIGNING_KEY"] = f"{folder}/signing-key.pem"
    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    try:
        yield f"{POSTGRES}/{name}"
    finally:
        with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        os.environ.pop("COPRODUCE_SIGNING_KEY", None)
        shutil.rmtree(folder, ignore_errors=True)
