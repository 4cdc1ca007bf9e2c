"""Inline catch-ups shared by the commands saved at the same time.

A command's answer waits until the read models show it. Each command used to run a
catch-up of its own, one after another; while one ran, the commands saved meanwhile
queued, and each then read the log again, mostly to find it already applied. Now a
command waits for the first catch-up that starts after its events were recorded, and
runs one itself only when none is running: one catch-up serves every command that
arrived while the previous one ran.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class CatchUps:
    """Runs `catch_up` for the commands of this process, one run at a time."""

    def __init__(self, catch_up: Callable[[], object], unreachable: Callable[[BaseException], bool]):
        self._catch_up, self._unreachable = catch_up, unreachable
        self._changed = threading.Condition()
        self._started = self._finished = 0
        self._running = False

    def after_save(self) -> None:
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
                except Exception as error:  # the commands are recorded; the next catch-up retries the views
                    if self._unreachable(error):
                        log.warning("read models could not catch up: the database is away")
                    else:
                        log.exception("read models could not catch up")
                finally:
                    self._changed.acquire()
                    self._running, self._finished = False, run
                    self._changed.notify_all()
