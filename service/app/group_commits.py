"""The saves of one process's concurrent commands, written to the store together.

Every save holds a turn that one writer at a time may hold: on SQLite the write turn (the file
takes one writer), on PostgreSQL the lock the event store library takes on the events table so
that notification ids are committed in order. Commands of one server process that wait for that
turn have their events ready. Whoever takes the turn next writes every save waiting in this
process then, in one transaction: under load, one commit for several commands, and one wait
for the turn instead of one each.

A group that the store refuses because of one save (a version another command took first) is
written again a save at a time, so that each command gets its own answer: recorded, or a
conflict. Any other failure (the database away) is every waiting command's answer.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Save = TypeVar("Save")
Recorded = TypeVar("Recorded")


class _Waiting(Generic[Save, Recorded]):
    def __init__(self, save: Save):
        self.save = save
        self.done = False
        self.recorded: Recorded | None = None
        self.error: BaseException | None = None


class GroupCommits(Generic[Save, Recorded]):
    """`write` records a group of saves in one transaction and returns what each recorded, in order;
    `refused` tells the store's refusal of a save that conflicts."""

    def __init__(self, write: Callable[[list[Save]], Sequence[Recorded]],
                 refused: Callable[[BaseException], bool]):
        self._write, self._refused = write, refused
        self._waiting: list[_Waiting[Save, Recorded]] = []
        self._queue = threading.Lock()  # held only to add to or take the waiting saves
        self._turn = threading.Lock()  # held by the thread writing a group

    def record(self, save: Save) -> Recorded:
        """Write `save`, with the saves waiting beside it if this thread's turn comes first, or
        wait for the thread that takes them all."""
        mine: _Waiting[Save, Recorded] = _Waiting(save)
        with self._queue:
            self._waiting.append(mine)
        with self._turn:
            if not mine.done:
                with self._queue:
                    group, self._waiting = self._waiting, []
                self._write_group(group)
        if mine.error is not None:
            raise mine.error
        return mine.recorded  # type: ignore[return-value]

    def _write_group(self, group: list[_Waiting[Save, Recorded]]) -> None:
        try:
            for waiting, recorded in zip(group, self._write([waiting.save for waiting in group]), strict=True):
                waiting.recorded = recorded
        except Exception as error:
            if len(group) > 1 and self._refused(error):
                for waiting in group:
                    self._write_alone(waiting)
            else:
                for waiting in group:  # each raises an error of its own, in its own thread
                    waiting.error = _own(error)
        finally:
            for waiting in group:
                waiting.done = True

    def _write_alone(self, waiting: _Waiting[Save, Recorded]) -> None:
        try:
            waiting.recorded = self._write([waiting.save])[0]
        except Exception as error:
            waiting.error = error


def _own(error: BaseException) -> BaseException:
    """A copy of `error` with the same cause, for one thread to raise."""
    told = copy.copy(error)
    told.__cause__, told.__context__ = error.__cause__, error.__context__
    return told
