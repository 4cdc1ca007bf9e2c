"""Forgetting a person: no trace of their words left anywhere, everyone else's intact, the history whole."""

from __future__ import annotations

import io
import logging
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest

from domain import Attribution, Channel, NotFound, RuleBroken
from service import create_app

ADMIN_PASSWORD = "a long admin password"


def canary(label: str) -> str:
    return f"{label}-canary-{uuid.uuid4().hex}"


@pytest.fixture
def api(store, monkeypatch, tmp_path):
    monkeypatch.setenv("COPRODUCE_PROJECTIONS", "inline")
    monkeypatch.setenv("COPRODUCE_SIGNING_KEY", str(tmp_path / "signing.pem"))
    app = create_app({"database_url": store.url.render_as_string(hide_password=False),
                      "rate_limit": "100000 per minute"})
    yield app
    app.extensions["coproduce"].close()


def sign_in(client, username: str, password: str) -> dict[str, str]:
    token = client.post("/api/v1/tokens", json={"username": username, "password": password}).json["token"]
    return {"Authorization": f"Bearer {token}"}


def everything_stored(app, store, tmp_path) -> bytes:
    """The bytes of the whole database as it lies on disk (SQLite) or as pg_dump writes it."""
    if store.is_sqlite:
        base = Path(store.url.database)
        return b"".join(p.read_bytes() for p in base.parent.glob(base.name + "*"))
    env = app.store.eventsourcing_env()
    dump = subprocess.run(["pg_dump", "-h", env["POSTGRES_HOST"], "-p", env["POSTGRES_PORT"], "-U",
                           env["POSTGRES_USER"], env["POSTGRES_DBNAME"]], capture_output=True, check=True)
    return dump.stdout


def holds(stored: bytes, secret: str) -> bool:
    """The secret is in the bytes as text, or as the hex pg_dump writes binary columns in."""
    return secret.encode() in stored or secret.encode().hex().encode() in stored


def test_forgetting_leaves_no_canary_anywhere_and_keeps_the_history(api, store, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    app, client = api.extensions["coproduce"], api.test_client()
    admin_id = app.register_first_admin("admin", "Ada Admin")
    app.set_password(admin_id, ADMIN_PASSWORD)
    admin = sign_in(client, "admin", ADMIN_PASSWORD)
    hub = client.post("/api/v1/hubs", json={"name": "Peterborough", "area": "Peterborough"}, headers=admin).json["id"]
    name, contact, words = canary("name"), canary("contact"), canary("words")
    kim = client.post("/api/v1/accounts", headers=admin, json={
        "username": "kim", "role": "expert", "name": name, "contact": contact, "password": ADMIN_PASSWORD,
        "hub_ids": [hub]}).json["id"]
    client.post("/api/v1/accounts", headers=admin, json={
        "username": "jo", "role": "expert", "name": "Jo Carter", "password": ADMIN_PASSWORD, "hub_ids": [hub]})
    as_kim, as_jo = sign_in(client, "kim", ADMIN_PASSWORD), sign_in(client, "jo", ADMIN_PASSWORD)
    issue = client.post(f"/api/v1/hubs/{hub}/issues", json={"title": "Letters to old addresses"},
                        headers=as_kim).json["id"]
    said = {"channel": "online", "may_quote": True, "attribution": "name"}
    recorded = client.post(f"/api/v1/issues/{issue}/contributions", json={"text": words, **said},
                           headers={**as_kim, "Idempotency-Key": "kim-1"})
    assert recorded.status_code == 201
    jo_words = "Mine came a fortnight late too"
    client.post(f"/api/v1/issues/{issue}/contributions", json={"text": jo_words, **said}, headers=as_jo)
    # Kim corrects her words, and takes a copy of everything held about her
    corrected = canary("corrected")
    assert client.post(f"/api/v1/issues/{issue}/contributions/{recorded.json['id']}/correction",
                       json={"text": corrected}, headers=as_kim).status_code == 200
    assert corrected in client.get("/api/v1/me/data", headers=as_kim).text
    before = everything_stored(app, store, tmp_path)
    assert holds(before, "Letters to old addresses")  # the search finds what is stored in the clear
    assert not holds(before, words) and not holds(before, corrected)  # words are sealed, corrected ones too
    entries_before = len(client.get(f"/api/v1/issues/{issue}/timeline", headers=as_jo).json)

    # when Kim is forgotten
    forgotten = client.post(f"/api/v1/accounts/{kim}/forget", headers=admin,
                            json={"requested_by": "the person", "authority": "their erasure request"})
    assert forgotten.status_code == 200 and forgotten.json["name"] == "a person who asked to be forgotten"

    # then not one canary byte is left: database files or dump, read models, logs, a fresh export
    stored = everything_stored(app, store, tmp_path)
    export = io.StringIO()
    app.audit.export(export)
    for secret in (name, contact, words, corrected):
        assert not holds(stored, secret)
        assert secret not in export.getvalue()
        assert secret not in caplog.text
    # and the history is whole, still verifies, and reads sensibly
    assert app.audit.verify() == []
    timeline = client.get(f"/api/v1/issues/{issue}/timeline", headers=as_jo).json
    assert len(timeline) == entries_before
    assert timeline[0]["who"] == "a person who asked to be forgotten"
    assert timeline[1]["who"] == "a person who asked to be forgotten"  # Kim gave her input herself
    assert timeline[1]["what"].startswith("gave input")
    retry = client.post(f"/api/v1/issues/{issue}/contributions", json={"text": words, **said},
                        headers={**as_kim, "Idempotency-Key": "kim-1"})
    assert retry.status_code in (401, 409)  # never recorded twice
    # everyone else's input is untouched
    issue_now = client.get(f"/api/v1/issues/{issue}", headers=as_jo).json
    texts = {c["text_status"]: c["text"] for c in issue_now["contributions"]}
    assert texts == {"erased": None, "shown": jo_words}
    assert any(e["kind"] == "Forgotten" for e in client.get("/api/v1/audit?kind=Forgotten", headers=admin).json)
    assert client.get(f"/api/v1/accounts/{kim}/data?requested_by=a+letter", headers=admin).status_code == 409


def test_no_new_input_can_be_recorded_for_a_forgotten_person(app, cast):
    app.forget(cast.ids["alex"], "the person", "their request", app.actor_for("admin"))
    issue = app.raise_issue(cast.hub, "Another issue", cast.actors["jo"])
    session = app.record_session(cast.hub, cast.manager, held_on=date(2024, 1, 1), place="Library",
                                 format="drop-in", experts_attended=1, staff_attended=1)
    with pytest.raises(NotFound, match="no expert of this hub"):  # the same words as for no one at all
        app.record_contribution(issue, cast.ids["alex"], "new words", cast.facilitator, channel=Channel.IN_PERSON,
                                may_quote=False, attribution=Attribution.ANONYMOUS, session_id=session)
    assert app.keys.key_for(cast.ids["alex"]) is None
    with pytest.raises(RuleBroken, match="already been forgotten"):
        app.forget(cast.ids["alex"], "the person", "their request", app.actor_for("admin"))


def test_a_forgotten_person_can_no_longer_sign_in(app, cast):
    app.set_password(cast.ids["alex"], "a long enough password")
    _, token = app.credentials.issue_token(cast.ids["alex"], "phone")
    app.forget(cast.ids["alex"], "the person", "their request", app.actor_for("admin"))
    assert app.credentials.token_holder(token) is None
    assert not app.credentials.check_password(cast.ids["alex"], "a long enough password")
