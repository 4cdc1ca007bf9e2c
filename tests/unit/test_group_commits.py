"""Concurrent saves of one process written together: each caller gets its own answer."""

import threading
import time

import pytest

from service.app.group_commits import GroupCommits


class Refused(Exception):
    pass


class Away(Exception):
    pass


def record_at_once(commits, saves):
    """Every save from a thread of its own, all started together; each thread's answer or error."""
    answers, start = {}, threading.Barrier(len(saves), timeout=10)

    def save(value):
        start.wait()
        try:
            answers[value] = commits.record(value)
        except Exception as error:
            answers[value] = error

    threads = [threading.Thread(target=save, args=(value,)) for value in saves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return answers


def slow_store(groups, refuse=(), away=False):
    """A store that takes 20 ms a transaction, so that saves arriving meanwhile wait together."""
    def write(group):
        groups.append(list(group))
        time.sleep(0.02)
        if away:
            raise Away("the database went away") from ConnectionError("reset")
        if set(group) & set(refuse):
            raise Refused(f"version taken: {group}")
        return [f"recorded {value}" for value in group]
    return write


def test_saves_waiting_for_the_turn_are_written_in_one_transaction_and_each_told_its_own():
    groups = []
    commits = GroupCommits(slow_store(groups), lambda error: isinstance(error, Refused))
    answers = record_at_once(commits, list(range(8)))
    assert answers == {value: f"recorded {value}" for value in range(8)}
    assert sorted(value for group in groups for value in group) == list(range(8))  # each written once
    assert len(groups) < 8 and max(len(group) for group in groups) > 1


def test_a_save_the_store_refuses_is_found_alone_and_the_others_are_recorded():
    groups = []
    commits = GroupCommits(slow_store(groups, refuse=[3]), lambda error: isinstance(error, Refused))
    answers = record_at_once(commits, list(range(6)))
    assert isinstance(answers.pop(3), Refused)
    assert answers == {value: f"recorded {value}" for value in (0, 1, 2, 4, 5)}
    assert [3] in groups  # written again alone, after the group that held it was refused


def test_a_store_that_went_away_is_every_waiting_saves_answer_each_with_its_cause():
    groups = []
    commits = GroupCommits(slow_store(groups, away=True), lambda error: isinstance(error, Refused))
    answers = record_at_once(commits, list(range(6)))
    errors = list(answers.values())
    assert all(isinstance(error, Away) and isinstance(error.__cause__, ConnectionError) for error in errors)
    assert len({id(error) for error in errors}) == 6  # raised in six threads: one object each
    assert sum(len(group) for group in groups) == 6  # not tried again a save at a time


def test_a_save_alone_is_written_at_once():
    commits = GroupCommits(lambda group: [f"recorded {value}" for value in group], lambda error: False)
    assert commits.record("only") == "recorded only"
    with pytest.raises(Refused):
        GroupCommits(slow_store([], refuse=["only"]), lambda error: True).record("only")
