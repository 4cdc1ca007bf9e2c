"""The read models on SQLite and PostgreSQL: content, rebuilds, crashes, concurrent writers, a worker."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import event, inspect, select

from domain import Attribution, Channel, ConflictError, ParticipationLevel, Stage
from projections import accountability, audit_trail, hub_board, runner, timeline
from projections.all_views import VIEWS
from projections.bulk import key_names, looking_up
from projections.runner import Projections, RebuildFailed, _shared, positions
from projections.view import View
from projections.times import now
from service.app.coproduce import Coproduce
from service.app.contact_schemas import ContactIn
from service.bootstrap import open_application
from tests.integration.test_store import say, walk_to_closed

LEVEL = ParticipationLevel.CO_PRODUCTION


def snapshot(app: Coproduce) -> dict[str, list]:
    """Every row of every view table, in a stable order (ids of autoincrement rows left out)."""
    tables = {}
    with app.engine.connect() as conn:
        for view in VIEWS:
            for table in view.metadata.sorted_tables:
                columns = [c for c in table.columns if c.name != "id"]
                rows = conn.execute(select(*columns)).all()
                tables[table.name] = sorted((tuple(map(str, row)) for row in rows))
    return tables


def empty_every_view(app: Coproduce) -> None:
    """Every view's rows gone and its position back at the start, as if no event had been applied."""
    with app.engine.begin() as conn:
        for view in VIEWS:
            for table in reversed(view.metadata.sorted_tables):
                conn.execute(table.delete())
        conn.execute(positions.update().values(position=0))


def scenario(app, cast):
    """A closed issue, one in explore with withdrawn input and a rating, and a parked one."""
    closed = walk_to_closed(app, cast)
    m = cast.manager
    second = app.raise_issue(cast.hub, "Drop-in times clash", cast.actors["jo"])
    kept = app.record_contribution(second, cast.ids["jo"], "Tuesdays clash with my key worker", cast.actors["jo"],
                                   channel=Channel.ONLINE, may_quote=True, attribution=Attribution.NAME)
    gone = app.record_contribution(second, cast.ids["alex"], "I changed my mind", cast.expert,
                                   channel=Channel.ONLINE, may_quote=False, attribution=Attribution.ANONYMOUS)
    app.withdraw_contribution(second, gone, cast.expert)
    app.frame(second, "Clashing times", "People with key workers", m)
    app.select(second, "Chosen", LEVEL, m)
    app.advance_stage(second, Stage.EXPLORE, "ready", LEVEL, m)
    app.rate_participation(second, app.issue(second).version, ParticipationLevel.CONSULTATION, cast.actors["jo"])
    third = app.raise_issue(cast.hub, "Pharmacy queues", cast.expert)
    app.park(third, "waiting for the pharmacy network", m)
    return closed, second, third, kept, gone


def test_each_view_tells_the_scripted_story(app, cast):
    closed, second, third, kept, gone = scenario(app, cast)
    with app.engine.connect() as conn:
        entries = timeline.read(conn, closed)
        assert [e.kind for e in entries][:3] == ["Raised", "Framed", "ContributionRecorded"]
        assert [e.stage for e in timeline.read(conn, closed, kind="StageAdvanced")] == ["frame", "explore", "act"]
        assert [e.kind for e in timeline.read(conn, closed, stage="learn")] == [
            "FeedbackGiven", "LearningRecorded", "Closed"]
        board = hub_board.board(conn, cast.hub, now())
        counts = {s["stage"]: s["count"] for s in board["stages"]}
        assert counts == {"frame": 1, "explore": 1, "act": 0, "learn": 0, "closed": 1}
        assert [(p["title"], p["parked_reason"]) for p in board["parked"]] == [
            ("Pharmacy queues", "waiting for the pharmacy network")]
        assert len(audit_trail.search(conn, limit=10_000)) == app.recorder.max_notification_id()
        assert {r.kind for r in audit_trail.search(conn, issue_id=str(third))} == {"Raised", "Parked"}
        told = audit_trail.search(conn, limit=10_000, set_up=False)  # as the pages show it
        assert not {r.kind for r in told} & set(audit_trail.SET_UP) and "Raised" in {r.kind for r in told}
        assert audit_trail.count(conn, set_up=False) == len(told) < app.recorder.max_notification_id()
        assert audit_trail.search(conn, limit=3, offset=2, set_up=False) == told[2:5]
    stories = {s["contribution_id"]: s for s in app.my_input_page(cast.expert, 0, 100).stories}
    answered = next(s for s in stories.values() if s["issue_id"] == str(closed))
    assert answered["issue_stage"] == "closed" and answered["text"] == "I was turned away at reception"
    assert [f["kind"] for f in answered["fates"]] == ["finding", "action", "feedback"]
    action = answered["fates"][1]["action"]
    assert (action["owner"], action["status"]) == ("Nadia Example", "completed")
    assert answered["fates"][2]["by"] == "Sam Example" and not answered["awaiting_feedback"]
    assert stories[str(gone)]["withdrawn"] and stories[str(gone)]["text"] is None
    report = app.accountability(cast.hub, cast.manager)
    assert report["contributions_received"] == 2 and report["share_with_feedback"] == 0.5  # the withdrawn one left
    assert report["decisions_by_level"]["co-production"] == 7
    assert report["claimed_and_felt"][0]["felt"] == {"consultation": 1}
    assert [(a["owner"], a["committed"], a["completed"]) for a in report["actions_by_owner"]] == [
        ("Nadia Example", 1, 1)]


def test_views_caught_up_together_move_their_positions_in_one_statement(app, cast):
    app.raise_issue(cast.hub, "Parking at the hospital", cast.manager)
    app.projections.catch_up()
    moves = []
    listener = lambda conn, cursor, statement, *_: moves.append(statement) if statement.startswith(  # noqa: E731
        "UPDATE projection_positions") else None
    event.listen(app.engine, "before_cursor_execute", listener)
    try:
        app.raise_issue(cast.hub, "Hearing loops in clinics", cast.manager)
        app.projections.catch_up()
    finally:
        event.remove(app.engine, "before_cursor_execute", listener)
    assert len(moves) == 1
    assert len({row["updated_at"] for row in app.projections.status()}) == 1


def test_a_rebuild_reaches_the_same_state_as_following_the_log(app, cast):
    scenario(app, cast)
    followed = snapshot(app)
    app.projections.rebuild()
    assert snapshot(app) == followed


def every_change(app, cast):
    """The scripted story, then rows changed again after they were written: themes, progress,
    a dropped action, a stage moved back, a parked issue taken up again, a person forgotten
    and their input used afterwards."""
    closed, second, third, kept, gone = scenario(app, cast)
    m = cast.manager
    alex = app.record_contribution(second, cast.ids["alex"], "The letters come late", cast.expert,
                                   channel=Channel.ONLINE, may_quote=True, attribution=Attribution.FIRST_NAME)
    app.theme_contributions(second, "Timing", [kept, alex], m)
    app.theme_contributions(second, "Timing", [kept], m)  # already themed: the theme is not repeated
    app.theme_contributions(second, "Letters", [alex], m)
    action = app.commit_action(second, "Move the drop-in", cast.ids["nadia"], date(2024, 5, 1), [kept, alex], m)
    app.report_progress(second, action, "asked the centre", cast.actors["nadia"])
    app.report_progress(second, action, "new room found", cast.actors["nadia"])
    app.drop_action(second, action, "the centre closed", m)
    app.move_back(second, Stage.FRAME, "we framed it too narrowly", LEVEL, m)
    app.reopen(third, "the network answered", m)
    app.forget(cast.ids["alex"], "the person", "their request", app.actor_for("admin"))
    app.give_feedback(second, "We are looking again", [kept, alex], m)
    app.record_finding(second, "Letters are the real problem", [alex], m)


@pytest.mark.parametrize("batch", [1, 7])
def test_a_rebuild_in_one_batch_writes_the_rows_that_one_event_at_a_time_does(app, cast, batch):
    every_change(app, cast)
    app.projections.rebuild()  # the whole log in one batch
    at_once = snapshot(app)
    empty_every_view(app)
    app.projections.catch_up(batch=batch)
    assert snapshot(app) == at_once


@pytest.fixture
def no_other_thread(monkeypatch):
    """This process counted as having no thread but its main one: threads earlier tests left here
    (a mail server's) hold no lock on the store, and a rebuild on SQLite forks only without them."""
    monkeypatch.setattr(runner.threading, "active_count", lambda: 1)


def test_a_rebuild_shared_among_processes_writes_the_rows_and_indexes_one_process_does(app, cast, tmp_path,
                                                                                     no_other_thread):
    every_change(app, cast)
    followed, before = snapshot(app), indexes(app)
    app.projections.processes = 1
    alone = app.projections.rebuild()
    assert snapshot(app) == followed
    app.projections.processes = 3
    shares = tmp_path / "shares"
    original = app.projections._rebuild_forked

    def noted(names, sending):  # runs in the forked process
        with shares.open("a") as note:
            note.write(f"{os.getpid()} {','.join(names)}\n")
        original(names, sending)

    app.projections._rebuild_forked = noted
    assert app.projections.rebuild() == alone
    assert snapshot(app) == followed and indexes(app) == before
    helpers = [line.split() for line in shares.read_text().splitlines()]
    assert len({pid for pid, _ in helpers} - {str(os.getpid())}) == 2  # two processes besides this one
    assert not {"timeline"} & {name for _, names in helpers for name in names.split(",")}  # the heaviest stays here


def test_a_forked_share_of_a_rebuild_that_fails_is_told_and_leaves_every_index_in_place(app, cast, monkeypatch,
                                                                                       no_other_thread):
    scenario(app, cast)
    before = indexes(app)

    def power_cut(work, event, position):
        raise RuntimeError("power cut")

    app.projections.processes = 2
    _, forked = app.projections.shares()
    failing = forked[0]  # rebuilt by the forked process
    monkeypatch.setattr(failing, "apply", power_cut)
    with pytest.raises(RebuildFailed, match=f"{failing.name}.*power cut"):
        app.projections.rebuild()
    assert indexes(app) == before
    monkeypatch.undo()
    app.projections.rebuild([failing.name])  # rebuilt again, it is whole


def test_on_sqlite_a_rebuild_beside_another_thread_of_its_process_is_not_forked(store, app, cast):
    # a process forked while another thread held a lock on the SQLite file would wait for it forever
    scenario(app, cast)
    app.projections.processes = 2
    release = threading.Event()
    beside = threading.Thread(target=release.wait)
    beside.start()
    try:
        assert len(app.projections.shares()) == (1 if store.is_sqlite else 2)
        followed = snapshot(app)
        app.projections.rebuild()
        assert snapshot(app) == followed
    finally:
        release.set()
        beside.join()


def test_views_are_shared_among_processes_by_weight_heaviest_first():
    views = [View(name, weight=weight) for name, weight in (("a", 1), ("b", 4), ("c", 3), ("d", 2))]
    assert [[view.name for view in share] for share in _shared(views, 2)] == [["b", "a"], ["c", "d"]]
    assert [[view.name for view in share] for share in _shared(views, 8)] == [["b"], ["c"], ["d"], ["a"]]
    assert _shared(views, 1) == [sorted(views, key=lambda view: -view.weight)]


def test_an_issue_closed_in_the_batch_that_recorded_its_input_owes_its_experts_the_news(app, cast):
    # given an expert who hears of everything by email, and their input on an issue walked to closed
    app.choose_contact(cast.expert, ContactIn().load({"ways": ["email"], "email": "alex@example.org"}))
    walk_to_closed(app, cast)
    one_at_a_time = snapshot(app)["due_messages"]
    # when the views are made again from the whole log in one batch
    app.projections.rebuild()
    # then the news of the closing is owed as when the events came one by one
    assert snapshot(app)["due_messages"] == one_at_a_time
    assert [row for row in one_at_a_time if row[3] == "closed"]


def indexes(app: Coproduce) -> dict[str, set[str]]:
    """The names of every view table's indexes, as the database has them."""
    with app.engine.connect() as conn:
        found = inspect(conn)
        return {table.name: {index["name"] for index in found.get_indexes(table.name)}
                for view in VIEWS for table in view.metadata.sorted_tables}


def test_a_rebuild_that_fails_half_way_leaves_every_index_in_place(app, cast, monkeypatch):
    scenario(app, cast)
    before = indexes(app)
    assert len(before["audit_events"]) == 5
    applied = []

    def fails_on_the_tenth(work, event, position):
        applied.append(position)
        if len(applied) == 10:
            raise RuntimeError("power cut")

    monkeypatch.setattr(timeline.view, "apply", fails_on_the_tenth)
    with pytest.raises(RuntimeError):
        app.projections.rebuild()
    assert indexes(app) == before


def test_a_rebuild_makes_the_indexes_a_killed_rebuild_left_dropped(app, cast):
    scenario(app, cast)
    before = indexes(app)
    followed = snapshot(app)
    with app.engine.begin() as conn:
        for index in audit_trail.events.indexes:
            index.drop(conn)
    app.projections.rebuild()
    assert indexes(app) == before
    assert snapshot(app) == followed


def test_two_rebuilds_at_once_both_finish_and_leave_the_rows_and_indexes_of_one(app, cast):
    scenario(app, cast)
    before, followed = indexes(app), snapshot(app)
    other = Projections(app.recorder, app.mapper, app.engine, VIEWS)
    failures = []

    def rebuild(projections):
        try:
            projections.rebuild()
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=rebuild, args=(projections,)) for projections in (app.projections, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    app.projections.catch_up()
    assert indexes(app) == before
    assert snapshot(app) == followed


def test_a_crash_between_applying_and_committing_neither_doubles_nor_skips(store, cast):
    # given a store with events no view has seen yet
    writer = open_application(store, projections_inline=False)
    scenario(writer, cast)
    fragile = Projections(writer.recorder, writer.mapper, writer.engine, VIEWS)
    fragile.catch_up()
    expected = snapshot(writer)
    empty_every_view(writer)
    # when the process dies in the middle of a batch (here: an error after some rows were written)
    seen = []
    original = audit_trail.view.apply

    def dies_on_the_twentieth(conn, event, position):
        seen.append(position)
        if len(seen) == 20:
            raise RuntimeError("power cut")
        original(conn, event, position)

    audit_trail.view.apply = dies_on_the_twentieth
    try:
        with pytest.raises(RuntimeError):
            fragile.catch_up()
    finally:
        audit_trail.view.apply = original
    assert set(fragile._positions().values()) == {0}  # nothing of the batch was committed
    # then catching up again applies every event exactly once
    fragile.catch_up()
    assert snapshot(writer) == expected
    writer.close()


def test_a_reader_following_the_log_never_skips_an_event_while_writers_append(store, cast, app):
    issue = app.raise_issue(cast.hub, "Busy issue", cast.expert)
    writers = [open_application(store, projections_inline=False) for _ in range(3)]
    reader = Projections(app.recorder, app.mapper, app.engine, [audit_trail.view])
    stop = threading.Event()
    follower = threading.Thread(target=reader.run, args=(stop, 0.01))
    follower.start()

    def write(w, n):
        for i in range(15):
            try:
                w.add_stakeholder(issue, f"org {n}-{i}", "service", cast.manager)
            except ConflictError:
                pass

    threads = [threading.Thread(target=write, args=(w, n)) for n, w in enumerate(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    deadline = time.monotonic() + 20
    while reader.position("audit_trail") < app.recorder.max_notification_id() and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    follower.join()
    for w in writers:
        w.close()
    logged = [n.id for n in app.recorder.select_notifications(0, 100_000, inclusive_of_start=False)]
    with app.engine.connect() as conn:
        seen = [r.position for r in audit_trail.search(conn, limit=100_000)]
    assert seen == logged


def test_a_projection_worker_in_its_own_process_catches_up(store, cast, tmp_path):
    writer = open_application(store, projections_inline=False)
    env = {**os.environ, "COPRODUCE_DATABASE_URL": store.url.render_as_string(hide_password=False),
           "COPRODUCE_PROJECTIONS": "worker"}
    worker = subprocess.Popen([str(Path(sys.executable).with_name("coproduce")), "projections", "run",
                               "--interval", "0.05"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        scenario(writer, cast)
        head = writer.recorder.max_notification_id()
        deadline = time.monotonic() + 30
        while min(s["position"] for s in writer.projections.status()) < head:
            assert time.monotonic() < deadline, "the worker did not catch up"
            assert worker.poll() is None, worker.stdout.read()
            time.sleep(0.1)
        followed = snapshot(writer)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=20)
    assert "Traceback" not in output
    writer.projections.rebuild()
    assert snapshot(writer) == followed
    writer.close()


def test_a_forgotten_persons_input_reads_as_erased_never_as_ciphertext(app, cast):
    closed, *_ = scenario(app, cast)
    app.keys.destroy(cast.ids["alex"])
    stories = app.my_input_page(cast.expert, 0, 100).stories
    answered = next(s for s in stories if s["issue_id"] == str(closed))
    assert answered["erased"] and answered["text"] == "input withdrawn at the contributor's request"
    assert [f["kind"] for f in answered["fates"]] == ["finding", "action", "feedback"]
    entries = app.timeline(closed, cast.manager)
    assert "a person who asked to be forgotten" in entries[0]["who"]
    assert not any("sealed.v1" in str(entry) for entry in entries)


def test_withdrawn_input_leaves_every_figure_of_the_accountability_report(app, cast):
    issue = app.raise_issue(cast.hub, "Letters to old addresses", cast.expert)
    kept = say(app, cast, issue)
    answered_then_withdrawn = say(app, cast, issue, "jo", "Mine came late too")
    app.give_feedback(issue, "The council now checks addresses", [kept, answered_then_withdrawn], cast.manager)
    unanswered_then_withdrawn = say(app, cast, issue, "jo", "And my neighbour's")
    for contribution in (answered_then_withdrawn, unanswered_then_withdrawn):
        app.withdraw_contribution(issue, contribution, cast.actors["jo"])
    app.projections.catch_up()
    today = now()
    start, end = accountability.period(None, None, today)
    with app.engine.connect() as conn:
        report = accountability.report(conn, cast.hub, start, end, today, overdue_days=0)
    assert report["contributions_received"] == 1
    assert report["share_with_feedback"] == 1.0
    assert report["median_days_to_feedback"] == report["p90_days_to_feedback"] < 1  # only the kept input's wait
    assert report["overdue_feedback"] == 0


def test_the_worker_says_in_one_line_that_the_database_is_away_and_keeps_going(app, monkeypatch, caplog):
    stop, tries = threading.Event(), []

    def away(**_):
        tries.append(1)
        if len(tries) == 2:
            stop.set()
        raise psycopg.OperationalError("connection refused")

    monkeypatch.setattr(app.projections, "catch_up", away)
    app.projections.run(stop, interval=0.01, unreachable=app.unreachable)
    said = [r for r in caplog.records if r.name == "projections.runner"]
    assert len(tries) == 2 and len(said) == 2
    assert all(r.levelname == "WARNING" and r.exc_info is None and "database is away" in r.getMessage() for r in said)


def test_a_row_looked_up_by_key_is_what_sqlalchemy_reads_for_every_table_of_every_view(app, cast):
    every_change(app, cast)
    tables = [table for view in VIEWS for table in view.metadata.sorted_tables if key_names(table)]
    looked_up = 0
    with app.engine.connect() as conn:
        for table in tables:
            for row in [row._asdict() for row in conn.execute(select(table).limit(20))]:
                key = {name: row[name] for name in key_names(table)}
                assert looking_up(table, conn.dialect).one(conn, key) == row, table.name
                looked_up += 1
        assert looking_up(hub_board.hubs, conn.dialect).one(conn, {"hub_id": "no such hub"}) is None
    assert looked_up > 50 and len(tables) >= 10


def test_catch_ups_of_several_processes_at_once_apply_each_event_once_and_never_deadlock(store, cast, app, caplog):
    # given four processes catching the same views up at once (a worker and readers on three servers)
    every_change(app, cast)
    expected = snapshot(app)
    empty_every_view(app)
    others = [open_application(store, projections_inline=False) for _ in range(4)]
    failures: list[BaseException] = []

    def follow(other):
        try:
            for _ in range(5):
                other.projections.catch_up(batch=3)
        except BaseException as error:  # noqa: BLE001 - what went wrong is the test's answer
            failures.append(error)

    try:
        threads = [threading.Thread(target=follow, args=(other,)) for other in others]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        # then none failed, and the views hold every event once
        assert failures == []
        app.projections.catch_up()
        assert snapshot(app) == expected
    finally:
        for other in others:
            other.close()


def test_a_shared_rebuild_beside_catch_ups_of_other_processes_never_deadlocks(store, cast, app):
    # given a worker and a server catching the views up, a few events at a time, over and over
    every_change(app, cast)
    expected = snapshot(app)
    others = [open_application(store, projections_inline=False) for _ in range(2)]
    failures: list[BaseException] = []
    done = threading.Event()

    def follow(other):
        try:
            while not done.is_set():
                other.projections.catch_up(batch=2)
        except BaseException as error:  # noqa: BLE001 - what went wrong is the test's answer
            failures.append(error)

    threads = [threading.Thread(target=follow, args=(other,)) for other in others]
    try:
        for thread in threads:
            thread.start()
        # when the views are rebuilt meanwhile, shared among processes where the store allows
        app.projections.processes = 2
        for _ in range(4):
            app.projections.rebuild()
    finally:
        done.set()
        for thread in threads:
            thread.join(60)
        for other in others:
            other.close()
    # then nobody failed, and the views hold every event once
    assert failures == []
    app.projections.catch_up()
    assert snapshot(app) == expected


def test_on_sqlite_a_catch_up_takes_the_writers_turn_only_to_write_what_it_worked_out(
        store, app, cast, monkeypatch):
    if not store.is_sqlite:
        pytest.skip("PostgreSQL takes concurrent writers: a catch-up there holds its positions' rows instead")
    # given views behind the log, by events that change no rows in bulk (a view's statement in the
    # middle of a batch, such as a new role for every row of a member, takes the turn where it writes)
    scenario(app, cast)
    empty_every_view(app)
    head = app.recorder.max_notification_id()
    applied, told = [], []
    apply = View.apply
    monkeypatch.setattr(View, "apply", lambda view, *given: (applied.append(view.name), apply(view, *given))[1])

    @contextlib.contextmanager
    def watched_turn():
        told.append(("taken", len(applied)))
        with app.writes.turn():
            yield
        with app.engine.connect() as conn:
            told.append(("let go", min(conn.execute(select(positions.c.position)).scalars())))
    monkeypatch.setattr(app.projections, "_write_turn", watched_turn)
    # when they catch up (in a server, or in the projection worker)
    app.projections.catch_up()
    # then the turn was taken once every event was applied, and let go once the batch was committed
    assert applied and told == [("taken", len(applied)), ("let go", head)]
