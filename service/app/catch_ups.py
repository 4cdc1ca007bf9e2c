"""Catch-ups of the read models run by this process, shared by everyone who needs one.

Whoever needs the views to show what is in the log asks for a catch-up: a reader that found
them behind (`now`, which waits), or a command in a server process (`soon`, which does not: its
answer is sent while a thread of this process catches up a moment later). A caller waits for
the first catch-up that starts after its call, and runs one itself only when none is running:
one catch-up serves everyone who arrived while the previous one ran.

The background thread catches up once the commands pause (`quiet` seconds without one); during
a steady stream of them, at the latest `at_most` seconds after the first it has not yet applied,
or once `at_most_commands` have waited. So the views lag the log by a bounded time and a bounded
number of events (`/readyz` reports a server not ready beyond 1,000 by default).

Why wait for a pause: a catch-up costs a few milliseconds whatever it applies, and more for each
event in a small batch than in a large one (each issue's rows are read once a batch); in a busy
process it also waits for the interpreter between its statements while it holds the writers'
turn, and every command of every process waits for that turn. A reader who arrives meanwhile
catches up first, as always: nobody reads old views.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class CatchUps:
    """Runs `catch_up` for this process, one run at a time."""

    def __init__(self, catch_up: Callable[[], object], unreachable: Callable[[BaseException], bool],
                 quiet: float = 0.05, at_most: float = 1.0, at_most_commands: int = 250):
        self._catch_up, self._unreachable = catch_up, unreachable
        self._quiet, self._at_most, self._at_most_commands = quiet, at_most, at_most_commands
        self._changed = threading.Condition()
        self._started = self._finished = 0
        self._running = self._wanted = self._closed = False
        # since the background thread last caught up: when the first and the last command asked, and how many
        self._first_asked = self._last_asked = 0.0
        self._waiting = 0
        self._background: threading.Thread | None = None

    def now(self) -> None:
        """Return once a catch-up that started after this call has finished."""
        with self._changed:
            wanted = self._started + 1
            while self._finished < wanted:
                if self._running:
                    self._changed.wait()
                    continue
                self._running, self._started = True, self._started + 1
                run = self._started
                self._changed.release()
                try:
                    self._catch_up()
                except Exception as error:  # what was recorded stays; the next catch-up retries the views
                    if self._unreachable(error):
                        log.warning("read models could not catch up: the database is away")
                    else:
                        log.exception("read models could not catch up")
                finally:
                    self._changed.acquire()
                    self._running, self._finished = False, run
                    self._changed.notify_all()

    def soon(self) -> None:
        """A catch-up will start after this call, in this process's background thread, once the
        commands pause; the caller does not wait for it."""
        with self._changed:
            if self._closed:
                return
            self._last_asked, self._waiting = time.monotonic(), self._waiting + 1
            if self._wanted:  # the background thread already waits, and sees this call when it wakes
                if self._waiting == self._at_most_commands:
                    self._changed.notify_all()
                return
            self._wanted, self._first_asked = True, self._last_asked
            if self._background is None:  # started by the first command, so after a server forks its workers
                self._background = threading.Thread(target=self._follow, name="catch-ups", daemon=True)
                self._background.start()
            self._changed.notify_all()

    def _follow(self) -> None:
        while True:
            with self._changed:
                while not self._closed and (wait := self._until_due()) != 0:
                    self._changed.wait(wait)
                if self._closed:
                    return
                self._wanted, self._waiting = False, 0
            self.now()

    def _until_due(self) -> float | None:
        """Seconds until the background thread should catch up: None while nobody asked, 0 once due."""
        if not self._wanted:
            return None
        if self._waiting >= self._at_most_commands:
            return 0.0
        due = min(self._last_asked + self._quiet, self._first_asked + self._at_most)
        return max(0.0, due - time.monotonic())

    def close(self, timeout: float = 5.0) -> None:
        """Finish the catch-up under way, if any; no more in the background."""
        with self._changed:
            self._closed = True
            self._changed.notify_all()
            background = self._background
        if background is not None and background is not threading.current_thread():
            background.join(timeout)
