"""Read models know their own shape: a view whose version in the code differs from the one that
made its rows is rebuilt, and is never read with old rows beside new ones."""

from __future__ import annotations

from sqlalchemy import select

from projections import timeline
from projections.runner import positions
from service import create_app
from tests.integration.test_projections import snapshot


def test_a_view_of_another_version_is_rebuilt_and_then_is_current(app, cast, monkeypatch):
    # given: the timeline followed the log, then this code's version of it differs from the stored one
    app.raise_issue(cast.hub, "Hostel places", cast.expert)
    followed = snapshot(app)
    with app.engine.begin() as conn:
        conn.execute(timeline.entries.delete())  # rows unlike what this version makes of the log
    monkeypatch.setattr(timeline.view, "version", 2)
    assert app.projections.stale() == ["timeline"]
    # when
    rebuilt = app.rebuild_stale_views()
    # then
    assert rebuilt == ["timeline"] and app.projections.stale() == []
    assert snapshot(app) == followed
    with app.engine.connect() as conn:
        assert conn.execute(select(positions.c.version).where(positions.c.view == "timeline")).scalar() == 2
    assert app.rebuild_stale_views() == []


def test_readiness_says_which_views_are_being_rebuilt_until_the_worker_has(tmp_path, monkeypatch):
    monkeypatch.setenv("COPRODUCE_PROJECTIONS", "worker")
    server = create_app({"database_url": f"sqlite:///{tmp_path}/coproduce.db"})
    app = server.extensions["coproduce"]
    try:
        monkeypatch.setattr(timeline.view, "version", 2)
        answer = server.test_client().get("/readyz")
        assert answer.status_code == 503 and answer.json["rebuilding"] == ["timeline"]
        app.rebuild_stale_views()
        assert server.test_client().get("/readyz").status_code == 200
    finally:
        app.close()
