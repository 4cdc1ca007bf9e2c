"""Personal content is sealed with a per-person key: never in the clear, gone with the key."""

import uuid
from pathlib import Path

import pytest
from sqlalchemy import text

from domain import Attribution, Channel
from service.infra.sealing import SealBroken


def canary() -> str:
    return f"canary-{uuid.uuid4().hex}"


def record_input(app, cast, words):
    issue = app.raise_issue(cast.hub, "Letters to old addresses", cast.expert)
    contribution = app.record_contribution(issue, cast.ids["alex"], words, cast.expert, channel=Channel.ONLINE,
                                           may_quote=False, attribution=Attribution.ANONYMOUS)
    return issue, contribution


def stored_bytes(app) -> bytes:
    """Every byte of every event and snapshot row, as the database holds them."""
    table = "stored_events" if app.store.is_sqlite else "coproduce_events"
    with app.engine.connect() as conn:
        return b"".join(bytes(row[0]) for row in conn.execute(text(f"SELECT state FROM {table}")))


def test_input_and_names_never_reach_the_event_store_in_the_clear(store, app, cast):
    words, name = canary(), canary()
    record_input(app, cast, words)
    app.register_account("kim", "expert", name, f"{name}@example.org", app.actor_for("admin"))
    assert words.encode() not in stored_bytes(app) and name.encode() not in stored_bytes(app)
    assert b"Letters to old addresses" in stored_bytes(app)  # the audit facts stay readable


@pytest.mark.parametrize("store", ["sqlite"], indirect=True)
def test_the_sqlite_files_hold_no_input_in_the_clear(app, cast, store):
    words = canary()
    record_input(app, cast, words)
    files = [p for p in Path(store.url.database).parent.iterdir() if p.name.startswith("coproduce.db")]
    assert any(p.name.endswith("-wal") for p in files)
    for path in files:
        assert words.encode() not in path.read_bytes(), path.name


def test_forgetting_a_person_makes_their_content_unreadable_and_leaves_others(app, cast):
    words = canary()
    issue, contribution = record_input(app, cast, words)
    other = app.record_contribution(issue, cast.ids["jo"], "Jo's words", cast.actors["jo"], channel=Channel.ONLINE,
                                    may_quote=True, attribution=Attribution.NAME)
    assert app.keys.destroy(cast.ids["alex"])
    sealed = {c.id: c.text for c in app.contributions(app.issue(issue))}
    assert app.open_sealed(sealed[str(contribution)]) is None
    assert app.open_sealed(sealed[str(other)]) == "Jo's words"
    assert app.display_name(cast.ids["alex"]) == "a person who asked to be forgotten"
    assert [type(e).__name__ for e in app.history(issue)] == ["Raised", "ContributionRecorded", "ContributionRecorded"]


def test_a_tampered_or_misattributed_sealed_value_fails_cleanly(app, cast):
    issue, contribution = record_input(app, cast, "my words")
    sealed = app.contributions(app.issue(issue))[0].text
    flipped = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(SealBroken):
        app.open_sealed(flipped)
    moved = sealed.replace(cast.ids["alex"].hex, cast.ids["jo"].hex)
    app.sealer.seal(cast.ids["jo"], "gives jo a key")
    with pytest.raises(SealBroken):
        app.open_sealed(moved)
    with pytest.raises(SealBroken):
        app.open_sealed("not sealed at all")
