"""Catch-ups shared by everyone who needs one: readers wait for them, a server's commands leave them to the background."""

from __future__ import annotations

import threading
import time

from service.app.catch_ups import CatchUps

NEVER_AWAY = lambda error: False  # noqa: E731 - the database is always there in these tests


class Views:
    """A catch-up that counts its runs; the first one waits until it is let go."""

    def __init__(self):
        self.runs, self.let_go = 0, threading.Event()

    def catch_up(self):
        self.runs += 1
        if self.runs == 1:
            self.let_go.wait(5)


def test_one_catch_up_serves_every_command_saved_while_another_ran():
    # given a catch-up under way
    views = Views()
    catch_ups = CatchUps(views.catch_up, NEVER_AWAY)
    first = threading.Thread(target=catch_ups.now)
    first.start()
    while views.runs == 0:
        time.sleep(0.001)
    # when three more commands are saved meanwhile
    seen = []
    waiting = [threading.Thread(target=lambda: (catch_ups.now(), seen.append(views.runs))) for _ in range(3)]
    for thread in waiting:
        thread.start()
    time.sleep(0.05)
    views.let_go.set()
    for thread in [first, *waiting]:
        thread.join(5)
    # then they waited for a second run, which started after them, and one was enough
    assert views.runs == 2 and seen == [2, 2, 2]


def test_a_command_waits_for_no_one_when_no_catch_up_is_running():
    views = Views()
    views.runs = 1  # the next run does not wait to be let go
    catch_ups = CatchUps(views.catch_up, NEVER_AWAY)
    catch_ups.now()
    catch_ups.now()
    assert views.runs == 3


def test_a_failed_catch_up_is_logged_and_the_command_still_answers(caplog):
    def failing():
        raise RuntimeError("the disk is full")

    CatchUps(failing, NEVER_AWAY).now()
    assert "read models could not catch up" in caplog.text


def test_a_burst_of_commands_is_answered_at_once_and_caught_up_together_once_it_pauses():
    # given a server process's catch-ups
    runs: list[float] = []
    catch_ups = CatchUps(lambda: runs.append(time.monotonic()), NEVER_AWAY, quiet=0.2, at_most=5)
    try:
        # when ten commands are saved in quick succession
        began = time.monotonic()
        for _ in range(10):
            catch_ups.soon()
        answered = time.monotonic() - began
        # then none waited (a command that waited for a catch-up would wait for its pause, 0.2 s, ten
        # times: a busy machine may still stall the first, which starts the background thread)
        assert answered < 1.0 and not runs
        # and one catch-up in the background served them all, once they paused
        deadline = time.monotonic() + 5
        while not runs and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        assert len(runs) == 1 and 0.2 <= runs[0] - began < 3
    finally:
        catch_ups.close()


def test_a_steady_stream_of_commands_is_caught_up_at_the_latest_after_the_longest_wait():
    # given a server process's catch-ups that wait for a pause, but at most half a second
    runs: list[float] = []
    catch_ups = CatchUps(lambda: runs.append(time.monotonic()), NEVER_AWAY, quiet=0.2, at_most=0.5)
    try:
        # when commands keep coming, never 0.2 s apart, for a second and a half
        began = time.monotonic()
        while time.monotonic() - began < 1.5:
            catch_ups.soon()
            time.sleep(0.02)
        # then the background caught up while they came, about every half a second
        assert 2 <= len(runs) <= 4
        assert runs[0] - began >= 0.5 and all(later - earlier >= 0.45 for earlier, later in zip(runs, runs[1:]))
    finally:
        catch_ups.close()


def test_a_fast_stream_of_commands_is_caught_up_once_enough_have_waited():
    # given a server process's catch-ups that wait for a pause, or a minute, or 100 commands
    runs: list[int] = []
    asked = 0
    catch_ups = CatchUps(lambda: runs.append(asked), NEVER_AWAY, quiet=60, at_most=60, at_most_commands=100)
    try:
        # when 250 commands come one after another, with no pause
        for _ in range(250):
            asked += 1
            catch_ups.soon()
            time.sleep(0.001)
        deadline = time.monotonic() + 5
        while len(runs) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        # then the background caught up after about every hundred, without waiting for a pause
        assert len(runs) == 2 and 100 <= runs[0] < 150 and 200 <= runs[1] <= 250
    finally:
        catch_ups.close()


def test_a_reader_does_not_wait_for_the_background():
    runs: list[str] = []
    catch_ups = CatchUps(lambda: runs.append("run"), NEVER_AWAY, quiet=5, at_most=5)
    try:
        catch_ups.soon()
        began = time.monotonic()
        catch_ups.now()  # a read that found the views behind
        assert runs == ["run"] and time.monotonic() - began < 1
    finally:
        catch_ups.close()


def test_closing_finishes_the_catch_up_under_way_and_starts_no_other():
    views = Views()
    views.runs = 1
    catch_ups = CatchUps(views.catch_up, NEVER_AWAY, quiet=0)
    catch_ups.soon()
    deadline = time.monotonic() + 5
    while views.runs == 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    catch_ups.close()
    catch_ups.soon()
    time.sleep(0.1)
    assert views.runs == 2
