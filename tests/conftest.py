"""Fixtures: the application on a temporary SQLite file and on the PostgreSQL server.

PostgreSQL tests use COPRODUCE_TEST_POSTGRES_URL (default: the local server's `test`
database). If it cannot be reached they are skipped, except in CI (CI is set),
where an unreachable server fails the run.
"""

from __future__ import annotations

import os

import psycopg
import pytest
from sqlalchemy import text

from domain import Role
from service.coproduce import Coproduce
from service.store import Store

POSTGRES_URL = os.environ.get("COPRODUCE_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _postgres_reachable(store: Store) -> str | None:
    env = store.eventsourcing_env()
    try:
        with psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], user=env["POSTGRES_USER"],
                             dbname=env["POSTGRES_DBNAME"], connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error)


def _reset_postgres(store: Store) -> None:
    engine = store.engine()
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path) -> Store:
    """Each test that asks for a store runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return Store.parse(f"sqlite:///{tmp_path}/coproduce.db")
    store = Store.parse(POSTGRES_URL)
    problem = _postgres_reachable(store)
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")
    _reset_postgres(store)
    return store


@pytest.fixture
def app(store):
    application = Coproduce(store, projections_inline=True)
    yield application
    application.close()


class Cast:
    """A hub with its manager, two experts, a facilitator and an action owner."""

    def __init__(self, app: Coproduce):
        self.admin_id = app.register_account("admin", Role.ADMIN, "Ada Admin", "ada@example.org")
        admin = app.account(self.admin_id).as_actor()
        self.hub = app.create_hub("Cambridge & South", "Cambridge", "established", admin)
        self.ids = {}
        for username, role in [("sam", Role.HUB_MANAGER), ("alex", Role.EXPERT), ("jo", Role.EXPERT),
                               ("fran", Role.FACILITATOR), ("nadia", Role.ACTION_OWNER)]:
            self.ids[username] = app.register_account(username, role, f"{username.title()} Example",
                                                      f"{username}@example.org", admin)
        app.assign_manager(self.hub, self.ids["sam"], admin)
        for member in ("alex", "jo", "fran", "nadia"):
            app.join_hub(self.ids[member], self.hub, admin)
        self.actors = {name: app.account(i).as_actor() for name, i in self.ids.items()}
        self.manager, self.expert, self.facilitator = self.actors["sam"], self.actors["alex"], self.actors["fran"]


@pytest.fixture
def cast(app) -> Cast:
    return Cast(app)
