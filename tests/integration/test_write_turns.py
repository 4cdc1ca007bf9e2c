"""Turns at writing to a SQLite store exclude each other across processes, forked ones included."""

from __future__ import annotations

import multiprocessing
import time

from service.infra.writes import WriteTurns


def test_a_process_forked_after_the_turns_were_made_waits_for_the_parents_turn(tmp_path):
    """A share of a rebuild is forked from the process that made the turns: on the same open lock
    file the two would hold the turn at once, and its writes would wait on SQLite's timeout instead."""
    turns = WriteTurns(tmp_path / "store.db", "writer")
    forked = multiprocessing.get_context("fork")
    taken = forked.Queue()

    def take_the_turn() -> None:
        with turns.turn():
            taken.put(time.monotonic())

    try:
        with turns.turn():
            child = forked.Process(target=take_the_turn)
            child.start()
            time.sleep(0.5)
            let_go = time.monotonic()
        assert taken.get(timeout=10) >= let_go  # it waited for the parent's turn to end
        child.join(timeout=10)
        assert child.exitcode == 0
        with turns.turn():  # and the parent's turn is still its own to take
            pass
    finally:
        turns.close()
