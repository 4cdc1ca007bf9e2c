"""The store on SQLite and PostgreSQL: round trips, conflicts, snapshots, usernames."""

import json
import time
from dataclasses import make_dataclass
from datetime import date
from threading import Barrier, Thread

import msgspec
import psycopg
import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError
from eventsourcing.application import project_aggregate
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent
from eventsourcing.utils import get_topic

from domain import Attribution, Channel, ConflictError, NotFound, ParticipationLevel, Role, Stage, SystemicIssue
from service.app.ports import RequestKey, serving
from service.bootstrap import open_application
from service.infra import store as store_module
from service.infra.idempotency_store import idempotency_recorded
from service.infra.snapshots import MARK
from service.infra.transcodings import dataclass_transcoding

LEVEL = ParticipationLevel.CO_PRODUCTION


def say(app, cast, issue, who="alex", text="I was turned away at reception"):
    return app.record_contribution(issue, cast.ids[who], text, cast.actors[who], channel=Channel.ONLINE,
                                   may_quote=True, attribution=Attribution.ANONYMOUS)


def walk_to_closed(app, cast):
    m = cast.manager
    issue = app.raise_issue(cast.hub, "Registering with a GP", cast.expert)
    app.frame(issue, "No address, no GP", "People without a fixed address", m)
    contribution = say(app, cast, issue)
    app.select(issue, "Chosen at the hub", LEVEL, m)
    app.advance_stage(issue, Stage.EXPLORE, "ready", LEVEL, m)
    app.record_finding(issue, "Staff did not know the rules", [contribution], m)
    app.add_stakeholder(issue, "GP federation", "service", m)
    app.advance_stage(issue, Stage.ACT, "ready", LEVEL, m)
    action = app.commit_action(issue, "Brief receptions", cast.ids["nadia"], date(2024, 3, 31), [contribution], m)
    app.complete_action(issue, action, "all briefed", cast.actors["nadia"])
    app.advance_stage(issue, Stage.LEARN, "done", LEVEL, m)
    app.give_feedback(issue, "Every practice was briefed", [contribution], m)
    app.record_learning(issue, "Five practices now register", "calls", "", m)
    app.close_issue(issue, "Fixed", LEVEL, m)
    return issue


def test_an_issue_walked_to_closed_reads_back_the_same_after_reopening_the_store(store, app, cast):
    issue = walk_to_closed(app, cast)
    before = app.issue(issue)
    app.close()
    reopened = open_application(store)
    try:
        after = reopened.issue(issue)
        assert (after.stage, after.version, after.outcome) == (Stage.CLOSED, before.version, "Fixed")
        assert vars(after) == vars(before)
        assert [type(e).__name__ for e in reopened.history(issue)][-1] == "Closed"
        text = reopened.open_sealed(reopened.contributions(after)[0].text)
        assert text == "I was turned away at reception"
    finally:
        reopened.close()


def test_a_stale_write_is_refused_and_loses_nothing(store, app, cast):
    issue = app.raise_issue(cast.hub, "Letters to old addresses", cast.expert)
    second = open_application(store)
    try:
        mine, theirs = app.issue(issue), second.issue(issue)
        mine.frame("first", "people", cast.manager)
        theirs.frame("second", "people", cast.manager)
        app.save(mine)
        with pytest.raises(ConflictError, match="someone else changed this"):
            second._save(theirs)
        # and the refused writer's next change, made on the issue as it now stands, is recorded
        second.add_stakeholder(issue, "Council", "public body", cast.manager)
    finally:
        second.close()
    assert app.issue(issue).framing.problem == "first"
    assert [type(e).__name__ for e in app.history(issue)] == ["Raised", "Framed", "StakeholderJoined"]


def test_expected_version_refuses_a_write_based_on_an_old_read(app, cast):
    issue = app.raise_issue(cast.hub, "Drop-in times", cast.expert)
    app.frame(issue, "clash", "people", cast.manager, expected_version=1)
    with pytest.raises(ConflictError, match="version 2, not 1"):
        app.frame(issue, "again", "people", cast.manager, expected_version=1)
    assert app.issue(issue).version == 2


def all_at_once(writer, writers):
    """`writer(n)` for each of `writers` threads, all started before any is waited for."""
    threads = [Thread(target=writer, args=(n,)) for n in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)


def test_concurrent_writers_on_one_issue_never_lose_an_acknowledged_event(store, app, cast):
    issue = app.raise_issue(cast.hub, "Transport to Ely", cast.expert)
    writers, rounds = 4, 10
    barrier, acknowledged, conflicts = Barrier(writers, timeout=30), [], []
    apps = [open_application(store) for _ in range(writers)]  # one per writer, as separate processes would

    def writer(n):
        barrier.wait()
        for i in range(rounds):
            try:
                apps[n].add_stakeholder(issue, f"org {n}-{i}", "service", cast.manager)
                acknowledged.append(f"org {n}-{i}")
            except ConflictError:
                conflicts.append(n)

    all_at_once(writer, writers)
    for own in apps:
        own.close()
    recorded = [s.name for s in app.issue(issue).stakeholders]
    assert sorted(recorded) == sorted(acknowledged)
    assert len(acknowledged) + len(conflicts) == writers * rounds
    assert app.issue(issue).version == 1 + len(acknowledged)


def test_a_long_history_loads_from_a_snapshot_with_the_same_state(store, app, cast):
    issue = app.raise_issue(cast.hub, "A long-running issue", cast.expert)
    for n in range(120):
        app.frame(issue, f"restatement {n}", "people", cast.manager)
    assert app.snapshots is not None
    snapshots = list(app.snapshots.get(issue))
    assert [s.originator_version for s in snapshots] == [50, 100]
    fresh = open_application(store)
    try:
        loaded = fresh.issue(issue)
        assert (loaded.version, loaded.framing.problem) == (121, "restatement 119")
    finally:
        fresh.close()


def test_a_snapshot_is_taken_from_the_issue_as_saved_not_read_back_from_the_store(app, cast, monkeypatch):
    issue = app.raise_issue(cast.hub, "A busy issue", cast.expert)
    read_back: list[int | None] = []
    load = app.repository.get

    def counted(aggregate_id, *args, **kwargs):
        if aggregate_id == issue:
            read_back.append(kwargs.get("version"))
        return load(aggregate_id, *args, **kwargs)

    monkeypatch.setattr(app.repository, "get", counted)
    for n in range(49):
        app.frame(issue, f"restatement {n}", "people", cast.manager)
    assert [s.originator_version for s in app.snapshots.get(issue)] == [50]
    assert all(version is None for version in read_back)  # the library's way asks for version 50
    replayed = None
    for event in app.events.get(issue, lte=50):  # every event, no snapshot
        replayed = event.mutate(replayed)
    snapshot = next(iter(app.snapshots.get(issue)))
    assert snapshot.state == type(snapshot).take(replayed).state


def test_a_save_of_several_events_that_passes_a_multiple_of_50_is_snapshotted_at_its_last_version(app, cast):
    issue = app.raise_issue(cast.hub, "A busy issue", cast.expert)
    for n in range(47):
        app.frame(issue, f"restatement {n}", "people", cast.manager)
    changed = app.issue(issue)
    for n in range(3):  # versions 49, 50 and 51, saved together
        changed.frame(f"together {n}", "people", cast.manager)
    app.save(changed)
    assert [s.originator_version for s in app.snapshots.get(issue)] == [51]
    assert app.issue(issue).framing.problem == "together 2"


def test_a_snapshot_that_cannot_be_written_fails_nothing_already_recorded(app, cast, monkeypatch, caplog):
    issue = app.raise_issue(cast.hub, "A busy issue", cast.expert)

    def refused(_snapshots):
        raise OSError("disk full")

    monkeypatch.setattr(app.snapshots, "put", refused)
    for n in range(49):
        app.frame(issue, f"restatement {n}", "people", cast.manager)
    assert app.issue(issue).version == 50
    assert app.issue(issue).framing.problem == "restatement 48"
    assert "no snapshot of" in caplog.text


def test_a_username_can_be_claimed_once(app, cast):
    with pytest.raises(ConflictError, match="already taken"):
        app.register_account("SAM", Role.EXPERT, "Another Sam", "", app.actor_for("admin"))
    assert app.account_by_username("sam").role == Role.HUB_MANAGER


def test_unknown_ids_are_not_found(app, cast):
    from uuid import uuid4
    with pytest.raises(NotFound):
        app.issue(uuid4())
    with pytest.raises(NotFound):
        app.issue(cast.hub)  # a hub is not an issue
    with pytest.raises(NotFound):
        app.account_by_username("nobody")


def test_input_can_only_be_recorded_for_an_expert_at_the_issues_hubs_sessions(app, cast):
    issue = app.raise_issue(cast.hub, "Letters", cast.expert)
    from uuid import uuid4
    with pytest.raises(NotFound, match="session"):
        app.record_contribution(issue, cast.ids["alex"], "said at a drop-in", cast.facilitator,
                                channel=Channel.IN_PERSON, may_quote=False,
                                attribution=Attribution.FIRST_NAME, session_id=uuid4())
    session = app.record_session(cast.hub, cast.manager, held_on=date(2023, 6, 20), place="Library",
                                 format="drop-in", experts_attended=9, staff_attended=2)
    app.record_contribution(issue, cast.ids["alex"], "said at a drop-in", cast.facilitator,
                            channel=Channel.IN_PERSON, may_quote=False, attribution=Attribution.FIRST_NAME,
                            session_id=session)
    with pytest.raises(NotFound, match="no expert of this hub"):  # a manager: told apart from no one
        app.record_contribution(issue, cast.ids["sam"], "said at a drop-in", cast.facilitator,
                                channel=Channel.IN_PERSON, may_quote=True, attribution=Attribution.NAME)


def snapshot_rows(app, issue) -> list[bytes]:
    return [bytes(s.state) for s in app.snapshots.recorder.select_events(issue)]


def test_a_snapshot_of_an_issue_with_every_kind_of_record_loads_the_state_a_replay_gives(store, app, cast):
    m = cast.manager
    issue = walk_to_closed(app, cast)  # framing, selection, input, finding, stakeholder, action, feedback, learning
    app.rate_participation(issue, 4, LEVEL, cast.expert)
    busy = app.raise_issue(cast.hub, "Parked and themed", cast.expert)
    app.frame(busy, "Turned away", "People without a fixed address", m)
    said = [say(app, cast, busy), say(app, cast, busy, who="jo", text="Mine too")]
    app.theme_contributions(busy, "reception", said, m)
    app.withdraw_contribution(busy, said[1], cast.actors["jo"])
    app.select(busy, "Chosen", LEVEL, m)
    app.advance_stage(busy, Stage.EXPLORE, "ready", LEVEL, m)
    app.record_finding(busy, "A finding", [said[0]], m)
    app.add_stakeholder(busy, "GP federation", "service", m)
    app.advance_stage(busy, Stage.ACT, "ready", LEVEL, m)
    action = app.commit_action(busy, "Brief receptions", cast.ids["nadia"], date(2024, 3, 31), [said[0]], m)
    app.report_progress(busy, action, "half of them", cast.actors["nadia"])
    app.park(busy, "waiting for the federation", m)
    for each in (issue, busy):
        app.take_snapshot(each)
        assert snapshot_rows(app, each)[-1].startswith(MARK)  # every attribute is declared in IssueState
        fresh = open_application(store)
        try:
            from_snapshot, replayed = fresh.issue(each), project_aggregate(None, fresh.events.get(each))
            assert vars(from_snapshot) == vars(replayed)
        finally:
            fresh.close()


def test_snapshots_written_as_json_before_still_load(store, app, cast):
    issue = app.raise_issue(cast.hub, "An older snapshot", cast.expert)
    say(app, cast, issue)
    codec = app.snapshots.mapper.transcoder
    json_mapper = Mapper(transcoder=codec.fallback)
    app.snapshots.recorder.insert_events([json_mapper.to_stored_event(Snapshot.take(app.issue(issue)))])
    assert snapshot_rows(app, issue)[-1].startswith(b"{")
    fresh = open_application(store)
    try:
        assert vars(fresh.issue(issue)) == vars(app.issue(issue))
    finally:
        fresh.close()


V3_FIELDS = ("written_down", "unconfirmed", "this_stage")  # class version 3: who wrote input down, and when


def _as_upcast(issue) -> dict:
    """The issue as a snapshot from before class version 3 brings it back: every piece of input still
    standing may be confirmed or corrected by its contributor (who wrote it down was not kept)."""
    earlier = set(issue.contributors) - issue.withdrawn
    return {**vars(issue), "written_down": earlier, "unconfirmed": earlier, "this_stage": set()}


def _whole_contributions(issue, record=dict) -> dict:
    """The issue's state as its class version 1 kept it: each contribution whole."""
    state = {k: v for k, v in vars(issue).items()
             if k not in ("_id", "_version", "_pending_events", "contributors", "withdrawn", "answered",
                          *V3_FIELDS)}
    state["contributions"] = {c: record(
        id=c, contributor_id=who, entered_by=who, channel="online", session_id=None, may_quote=True,
        attribution="anonymous", text="sealed", withdrawn=c in issue.withdrawn, themes=["reception"],
        answered_by=[str(c)] if c in issue.answered else []) for c, who in issue.contributors.items()}
    return state


@pytest.mark.parametrize("form", ["msgpack", "json"])
def test_snapshots_of_issues_that_kept_each_contribution_whole_still_load(store, app, cast, form):
    issue = app.raise_issue(cast.hub, "Snapshotted long ago", cast.expert)
    said = [say(app, cast, issue), say(app, cast, issue, who="jo"), say(app, cast, issue)]
    app.withdraw_contribution(issue, said[1], cast.actors["jo"])
    app.give_feedback(issue, "You said, we did", [said[0]], cast.manager)
    now = app.issue(issue)
    envelope = {"timestamp": Snapshot.create_timestamp(), "topic": get_topic(SystemicIssue)}
    if form == "msgpack":
        data = b"\xc1cp1" + msgspec.msgpack.encode({**envelope, "state": _whole_contributions(now)})
    else:
        json = JSONTranscoder()
        app.register_transcodings(json)
        contribution = make_dataclass("Contribution", [  # as contributions were written then
            "id", "contributor_id", "entered_by", "channel", "session_id", "may_quote", "attribution", "text",
            "withdrawn", "themes", "answered_by"])
        json.register(dataclass_transcoding(contribution))
        data = json.encode({**envelope, "state": _whole_contributions(now, contribution)})
    app.snapshots.recorder.insert_events([StoredEvent(issue, now.version, get_topic(Snapshot), data)])
    fresh = open_application(store)
    try:
        assert vars(fresh.issue(issue)) == _as_upcast(now)
    finally:
        fresh.close()


def test_an_index_added_to_a_read_models_table_is_made_when_the_service_starts(store, app):
    def indexed(application) -> bool:
        found = inspect(application.engine).get_indexes("input_contributions")
        return any(index["column_names"] == ["issue_id"] for index in found)

    assert indexed(app)
    with app.engine.begin() as conn:  # as in a store made before the index was declared
        conn.execute(text("DROP INDEX ix_input_contributions_issue_id"))
    assert not indexed(app)
    started = open_application(store)
    try:
        assert indexed(started)
    finally:
        started.close()


def test_snapshots_taken_before_input_could_be_corrected_still_load(store, app, cast):
    issue = app.raise_issue(cast.hub, "Snapshotted before corrections", cast.expert)
    said = [say(app, cast, issue), say(app, cast, issue, who="jo")]
    app.withdraw_contribution(issue, said[1], cast.actors["jo"])
    now = app.issue(issue)
    state = {k: v for k, v in vars(now).items() if k not in ("_id", "_version", "_pending_events", *V3_FIELDS)}
    envelope = {"timestamp": Snapshot.create_timestamp(), "topic": get_topic(SystemicIssue)}
    data = b"\xc1cp2" + msgspec.msgpack.encode({**envelope, "state": {**state, "class_version": 2}})
    app.snapshots.recorder.insert_events([StoredEvent(issue, now.version, get_topic(Snapshot), data)])
    fresh = open_application(store)
    try:
        assert vars(fresh.issue(issue)) == _as_upcast(now)
        fresh.correct_contribution(issue, said[0], "said better", cast.expert)
    finally:
        fresh.close()


def test_saves_of_one_process_written_together_keep_each_ones_events_and_client_key(store, app, cast):
    issues = [app.raise_issue(cast.hub, f"Transport {n}", cast.expert) for n in range(2)]
    writers, groups = 8, []
    barrier, acknowledged, conflicts = Barrier(writers, timeout=30), [], []
    put = app.events.put

    def slow_put(events, **kwargs):  # the store takes a while: saves arriving meanwhile wait together
        groups.append(len(kwargs.get("requests", [None])))
        time.sleep(0.02)
        return put(events, **kwargs)

    app.events.put = slow_put

    def writer(n):
        serving.set(RequestKey(owner=f"writer {n}", key=f"key {n}", claim="first"))
        barrier.wait()
        try:
            app.add_stakeholder(issues[n % 2], f"org {n}", "service", cast.manager)  # four writers an issue
            acknowledged.append(n)
        except ConflictError:
            conflicts.append(n)

    all_at_once(writer, writers)
    assert len(acknowledged) + len(conflicts) == writers and acknowledged
    assert max(groups) > 1  # some were written together
    for n, issue in enumerate(issues):
        mine = sorted(w for w in acknowledged if w % 2 == n)
        assert sorted(s.name for s in app.issue(issue).stakeholders) == [f"org {w}" for w in mine]
        assert app.issue(issue).version == 1 + len(mine)
    with app.engine.connect() as conn:
        recorded = {row.owner: json.loads(row.saved) for row in conn.execute(select(idempotency_recorded))}
    assert set(recorded) == {f"writer {n}" for n in acknowledged}  # the refused recorded no key
    for n in acknowledged:  # each key names its own save: its issue, at a version of its own
        [(issue, _)] = recorded[f"writer {n}"]
        assert issue == str(issues[n % 2])
    for n, issue in enumerate(issues):
        versions = sorted(recorded[f"writer {w}"][0][1] for w in acknowledged if w % 2 == n)
        assert versions == list(range(2, 2 + len(versions)))


@pytest.mark.postgres
def test_a_pooled_connection_is_checked_after_sitting_idle_and_not_while_in_steady_use(pg, monkeypatch):
    engine = pg.engine()

    def session_of_a_pooled_connection_ended() -> int:  # by the database, as a restart would
        with engine.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with psycopg.connect(pg.url.set(drivername="postgresql").render_as_string(hide_password=False),
                             autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        return pid

    ended = session_of_a_pooled_connection_ended()  # and used again at once: not checked, so that use fails
    with pytest.raises(DBAPIError) as failed, engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    assert failed.value.connection_invalidated
    with engine.connect() as conn:  # the pool has replaced what it held
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != ended

    monkeypatch.setattr(store_module, "IDLE_BEFORE_PING", 0.2)
    ended = session_of_a_pooled_connection_ended()
    time.sleep(0.3)
    with engine.connect() as conn:  # idle long enough: checked, found gone, replaced unseen
        assert conn.exec_driver_sql("SELECT pg_backend_pid()").scalar() != ended
    engine.dispose()
