"""When the projection worker catches up: once the log stands still, and during a burst of
commands only now and then, a batch of many at once (`projections.runner.Pace`)."""

from projections.runner import Pace


def test_a_worker_catches_up_at_its_first_look_whatever_the_log_does():
    assert Pace(at_most=1.0, at_most_events=250).due(head=10, lowest=0, at=0.0)


def test_during_a_burst_it_waits_for_the_log_to_stand_still():
    pace = Pace(at_most=1.0, at_most_events=250)
    pace.caught_up(head=10)
    # the log moves between every look: commands are still coming
    assert not pace.due(head=30, lowest=10, at=0.0)
    assert not pace.due(head=60, lowest=10, at=0.2)
    assert not pace.due(head=90, lowest=10, at=0.4)
    # then it stands still for a look: the burst is over
    assert pace.due(head=90, lowest=10, at=0.6)


def test_a_steady_stream_is_caught_up_after_at_most_a_second():
    pace = Pace(at_most=1.0, at_most_events=250)
    pace.caught_up(head=0)
    moments = [0.2 * n for n in range(1, 7)]
    due = [pace.due(head=10 * n, lowest=0, at=at) for n, at in enumerate(moments, start=1)]
    assert due == [False, False, False, False, False, True]  # first found behind at 0.2 s, due at 1.2 s


def test_a_fast_stream_is_caught_up_once_enough_events_wait():
    pace = Pace(at_most=1.0, at_most_events=250)
    pace.caught_up(head=0)
    assert not pace.due(head=249, lowest=0, at=0.0)
    assert pace.due(head=500, lowest=0, at=0.2)


def test_after_catching_up_it_waits_again_and_after_a_failure_it_tries_at_once():
    pace = Pace(at_most=1.0, at_most_events=250)
    pace.caught_up(head=0)
    assert not pace.due(head=5, lowest=0, at=0.0)
    assert pace.due(head=5, lowest=0, at=0.2)
    pace.caught_up(head=5)
    assert not pace.due(head=9, lowest=5, at=0.4)  # new commands: the wait starts again
    pace.restart()  # the database was away
    assert pace.due(head=12, lowest=5, at=0.6)
