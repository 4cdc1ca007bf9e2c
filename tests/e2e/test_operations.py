"""Health, readiness, metrics, request ids in JSON logs, and backups taken while writing."""

from __future__ import annotations

import json
import logging
import threading

from service.infra import backup as backups
from service import create_app
from service.bootstrap import open_application
from service.http.observability import JsonFormatter
from service.infra.store import Store
from tests.e2e.checks import assert_verifies_and_rebuilds_alike
from tests.integration.test_projections import snapshot


def test_probes_answer_and_readiness_reflects_projection_lag(tmp_path, monkeypatch, world, flask_app):
    client = flask_app.test_client()
    assert client.get("/healthz").json == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and set(ready.json["lag"]) >= {"timeline", "audit_chain"}
    # a service whose worker is not running falls behind, and says so
    monkeypatch.setenv("COPRODUCE_PROJECTIONS", "worker")
    lagging = create_app({"database_url": f"sqlite:///{tmp_path}/lag.db", "ready_max_lag": 2})
    try:
        app = lagging.extensions["coproduce"]
        admin = app.account(app.register_first_admin("admin", "Ada Admin")).as_actor()
        for n in range(3):
            app.register_account(f"person{n}", "expert", "A Person", "", admin)
        answer = lagging.test_client().get("/readyz")
        assert answer.status_code == 503 and answer.json["behind"]["timeline"] == 8
        assert answer.headers["Content-Type"] == "application/problem+json"
    finally:
        lagging.extensions["coproduce"].close()


def test_metrics_count_requests_conflicts_events_and_lag(world, flask_app):
    path = f"/api/v1/issues/{world.issues['own']}/stakeholders"
    world.call("hub_manager", "POST", path, {"name": "A", "kind": "k"}, {"If-Match": '"1"'})
    world.call("expert", "GET", "/api/v1/me/input")  # a read of the views: they show the whole log first
    text = flask_app.test_client().get("/metrics").data.decode()
    assert 'coproduce_conflicts_total{status="412"}' in text
    assert 'route="/api/v1/issues/<uuid:issue_id>/stakeholders"' in text
    assert f"coproduce_events_recorded {float(world.app.recorder.max_notification_id())}" in text
    assert 'coproduce_projection_lag_events{view="my_input"} 0.0' in text
    assert "coproduce_http_request_seconds_bucket" in text


def test_every_request_logs_one_json_line_with_its_request_id_and_no_content(world, caplog):
    caplog.set_level(logging.INFO, logger="coproduce.requests")
    secret = "words nobody should find in a log"
    answer = world.call("expert", "POST", f"/api/v1/issues/{world.issues['own']}/contributions",
                        {"text": secret, "channel": "online", "may_quote": True, "attribution": "anonymous"},
                        {"X-Request-Id": "trace-42"})
    assert answer.status_code == 201 and answer.headers["X-Request-Id"] == "trace-42"
    record = next(r for r in caplog.records if getattr(r, "request_id", None) == "trace-42")
    line = json.loads(JsonFormatter().format(record))
    assert line["status"] == 201 and line["method"] == "POST" and line["account_id"] == str(world.ids["expert"])
    assert secret not in caplog.text
    assert world.call("expert", "GET", "/api/v1/me", headers={"X-Request-Id": "bad id!"}).headers["X-Request-Id"] != "bad id!"


def test_a_backup_taken_while_writing_restores_to_a_store_that_verifies(tmp_path, cast, app, store):
    if not store.is_sqlite:
        return  # PostgreSQL backups are pg_dump's job (docs/operations.md)
    issue = app.raise_issue(cast.hub, "Busy", cast.expert)
    stop = threading.Event()

    def keep_writing():
        n = 0
        while not stop.is_set():
            app.add_stakeholder(issue, f"organisation {n}", "service", cast.manager)
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        copies = [tmp_path / f"backup-{n}.db" for n in range(3)]
        for copy in copies:
            backups.backup(store, copy)
    finally:
        stop.set()
        writer.join()
    for copy in copies:
        target = Store.parse(f"sqlite:///{tmp_path}/restored-{copy.stem}.db")
        backups.restore(target, copy)
        restored = open_application(target)
        try:
            restored.projections.catch_up()
            followed = snapshot(restored)
            backups.check_restored(restored)  # chains the last moment's events, verifies, rebuilds
            assert restored.audit.verify() == []
            assert snapshot(restored) == followed
            assert restored.issue(issue).version >= 1
        finally:
            restored.close()


def test_the_documented_pg_dump_path_restores_a_store_that_verifies(pg, tmp_path):
    from tests.e2e.test_scaled import seed
    import subprocess

    postgres_store = pg
    seed(postgres_store)
    source = open_application(postgres_store, projections_inline=True)
    try:
        source.audit.checkpoint()
    finally:
        source.close()
    env = postgres_store.eventsourcing_env()
    where = ["-h", env["POSTGRES_HOST"], "-p", env["POSTGRES_PORT"], "-U", env["POSTGRES_USER"]]
    dump, copy = tmp_path / "coproduce.dump", f"{env['POSTGRES_DBNAME']}_restored"
    subprocess.run(["pg_dump", *where, "-Fc", "-f", str(dump), env["POSTGRES_DBNAME"]], check=True)
    subprocess.run(["dropdb", *where, "--if-exists", copy], check=True)
    subprocess.run(["createdb", *where, copy], check=True)
    subprocess.run(["pg_restore", *where, "-d", copy, str(dump)], check=True)
    restored = open_application(Store(postgres_store.url.set(database=copy)), projections_inline=True)
    try:
        assert_verifies_and_rebuilds_alike(restored)
    finally:
        restored.close()
        restored.engine.dispose()
        subprocess.run(["dropdb", *where, "--force", copy], check=True)
