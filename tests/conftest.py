"""Fixtures: the application on a temporary SQLite file and on the PostgreSQL server.

PostgreSQL tests use the server of COPRODUCE_TEST_POSTGRES_URL (default: the local
server's `test` database), in a database created for the run and dropped after it.
If the server cannot be reached they are skipped, except in CI (CI is set), where an
unreachable server fails the run.
"""

from __future__ import annotations

import os

import psycopg
import pytest
from sqlalchemy import text

from domain import Role
from service.app.coproduce import Coproduce
from service.bootstrap import in_memory_application, open_application
from service.infra.store import Store

POSTGRES_URL = os.environ.get("COPRODUCE_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _connect(store: Store, dbname: str | None = None) -> psycopg.Connection:
    env = store.eventsourcing_env()
    return psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"], user=env["POSTGRES_USER"],
                           password=env["POSTGRES_PASSWORD"] or None, dbname=dbname or env["POSTGRES_DBNAME"],
                           connect_timeout=3, autocommit=True)


@pytest.fixture(scope="session")
def postgres_store():
    """A database of this test run's own on the server, so that runs side by side never collide."""
    server = Store.parse(POSTGRES_URL)
    try:
        admin = _connect(server)
    except psycopg.Error as error:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    name = f"coproduce_test_{os.getpid()}"
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    yield Store(server.url.set(database=name))
    with _connect(server) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _reset_postgres(store: Store) -> None:
    engine = store.engine()
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def pg(postgres_store) -> Store:
    """The PostgreSQL store alone, emptied: for tests of several processes on one server."""
    _reset_postgres(postgres_store)
    return postgres_store


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path) -> Store:
    """Each test that asks for a store runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return Store.parse(f"sqlite:///{tmp_path}/coproduce.db")
    store = request.getfixturevalue("postgres_store")
    _reset_postgres(store)
    return store


@pytest.fixture
def app(store):
    application = open_application(store, projections_inline=True)
    yield application
    application.close()


class Cast:
    """A hub with its manager, two experts, a facilitator and an action owner."""

    def __init__(self, app: Coproduce):
        self.admin_id = app.register_first_admin("admin", "Ada Admin", "ada@example.org")
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


@pytest.fixture
def memory_app():
    """The application on an in-memory store, through the composition root: for unit tests of the
    use cases, which need no database."""
    application = in_memory_application()
    yield application
    application.close()


@pytest.fixture
def memory_cast(memory_app) -> Cast:
    return Cast(memory_app)
