"""Commands saved at the same time share the inline catch-up that follows them."""

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
    first = threading.Thread(target=catch_ups.after_save)
    first.start()
    while views.runs == 0:
        time.sleep(0.001)
    # when three more commands are saved meanwhile
    seen = []
    waiting = [threading.Thread(target=lambda: (catch_ups.after_save(), seen.append(views.runs))) for _ in range(3)]
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
    catch_ups.after_save()
    catch_ups.after_save()
    assert views.runs == 3


def test_a_failed_catch_up_is_logged_and_the_command_still_answers(caplog):
    def failing():
        raise RuntimeError("the disk is full")

    CatchUps(failing, NEVER_AWAY).after_save()
    assert "read models could not catch up" in caplog.text
