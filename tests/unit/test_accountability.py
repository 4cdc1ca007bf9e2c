"""The accountability report's figures, against a hand count on a small fixture."""

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from uuid import uuid4

import pytest
from sqlalchemy import create_engine

from projections import accountability
from projections.unit_of_work import UnitOfWork

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
HUB, OTHER = uuid4(), uuid4()


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


class Fixture:
    """Synthetic events with chosen times, applied to the view as the runner would."""

    def __init__(self):
        self.engine = create_engine("sqlite://")
        accountability.view.metadata.create_all(self.engine)
        self.position = 0

    def apply(self, kind: str, issue, at: float, **fields):
        self.position += 1
        event = type(kind, (SimpleNamespace,), {"__qualname__": f"SystemicIssue.{kind}"})(
            originator_id=issue, originator_version=self.position, timestamp=day(at),
            actor={"id": str(uuid4()), "role": "hub_manager"}, **fields)
        with self.engine.begin() as conn:
            work = UnitOfWork(conn)
            accountability.view.apply(work, event, self.position)
            work.flush()

    def report(self, today: float, **kwargs):
        with self.engine.connect() as conn:
            return accountability.report(conn, HUB, day(0), day(60), day(today), **kwargs)


@pytest.fixture
def hub():
    f = Fixture()
    issue, elsewhere = uuid4(), uuid4()
    f.apply("Raised", issue, 0, hub_id=HUB, title="Letters")
    f.apply("Raised", elsewhere, 0, hub_id=OTHER, title="Not this hub")
    c = [uuid4() for _ in range(5)]
    for n, contribution in enumerate(c):  # recorded on days 1..5
        f.apply("ContributionRecorded", issue, n + 1, contribution_id=contribution)
    f.apply("ContributionRecorded", elsewhere, 1, contribution_id=uuid4())
    f.apply("FeedbackGiven", issue, 3, contribution_ids=[c[0]])        # 2 days after day 1
    f.apply("FeedbackGiven", issue, 12, contribution_ids=[c[1], c[0]])  # 10 days after day 2; c0 already answered
    f.apply("FeedbackGiven", issue, 33, contribution_ids=[c[2]])       # 30 days after day 3
    f.apply("ContributionWithdrawn", issue, 6, contribution_id=c[3])   # withdrawn: never overdue
    owner_a, owner_b = uuid4(), uuid4()
    f.apply("ActionCommitted", issue, 4, action_id=(a1 := uuid4()), owner_id=owner_a, due="2024-01-20")
    f.apply("ActionCommitted", issue, 4, action_id=uuid4(), owner_id=owner_a, due="2024-01-10")
    f.apply("ActionCommitted", issue, 5, action_id=uuid4(), owner_id=owner_b, due="2024-03-01")
    f.apply("ActionCompleted", issue, 15, action_id=a1)
    f.apply("Selected", issue, 2, level="co-production")
    f.apply("StageAdvanced", issue, 7, level="co-production", to="explore")
    f.apply("StageAdvanced", issue, 20, level="consultation", to="act")
    f.apply("ParticipationRated", issue, 21, decision=f.position, level="informing")
    return f, owner_a, owner_b


def test_the_report_matches_a_hand_count(hub):
    f, owner_a, owner_b = hub
    report = f.report(today=40)
    assert report["contributions_received"] == 4              # c3 was withdrawn; the other hub's is not counted
    assert report["share_with_feedback"] == 0.75              # c0, c1, c2 of four
    assert report["median_days_to_feedback"] == 10            # waits 2, 10, 30
    assert report["p90_days_to_feedback"] == 30               # nearest rank: ceil(0.9 * 3) = 3rd
    assert report["overdue_feedback"] == 1                    # c4 (day 5, 35 days waiting); c3 withdrawn
    assert report["actions_by_owner"] == sorted([
        {"owner_id": str(owner_a), "committed": 2, "completed": 1, "overdue": 1},
        {"owner_id": str(owner_b), "committed": 1, "completed": 0, "overdue": 0}], key=lambda r: r["owner_id"])
    assert report["decisions_by_level"]["co-production"] == 2 and report["decisions_by_level"]["consultation"] == 1
    assert report["claimed_and_felt"] == [{"issue_id": report["claimed_and_felt"][0]["issue_id"],
                                           "decision": f.position - 1, "kind": "StageAdvanced",
                                           "claimed": "consultation", "felt": {"informing": 1}}]


def test_overdue_is_configurable_and_measured_from_today(hub):
    f, *_ = hub
    assert f.report(today=40, overdue_days=40)["overdue_feedback"] == 0
    assert f.report(today=40, overdue_days=30)["overdue_feedback"] == 1
    assert f.report(today=10)["overdue_feedback"] == 0


def test_withdrawn_input_leaves_every_figure_about_input(hub):
    f, *_ = hub
    issue = uuid4()
    f.apply("Raised", issue, 0, hub_id=HUB, title="Another")
    answered_then_withdrawn, overdue_then_withdrawn = uuid4(), uuid4()
    f.apply("ContributionRecorded", issue, 1, contribution_id=answered_then_withdrawn)
    f.apply("ContributionRecorded", issue, 1, contribution_id=overdue_then_withdrawn)
    f.apply("FeedbackGiven", issue, 51, contribution_ids=[answered_then_withdrawn])  # a 50-day wait
    before = f.report(today=40)
    assert (before["contributions_received"], before["overdue_feedback"]) == (6, 2)
    f.apply("ContributionWithdrawn", issue, 52, contribution_id=answered_then_withdrawn)
    f.apply("ContributionWithdrawn", issue, 52, contribution_id=overdue_then_withdrawn)
    report = f.report(today=40)
    assert report["contributions_received"] == 4
    assert report["share_with_feedback"] == 0.75              # the withdrawn answered input is not one of three
    assert report["median_days_to_feedback"] == 10            # waits 2, 10, 30: not the withdrawn one's 50
    assert report["p90_days_to_feedback"] == 30
    assert report["overdue_feedback"] == 1                    # c4 only


def test_a_hub_whose_only_input_was_withdrawn_has_no_figures_about_input():
    f = Fixture()
    issue, contribution = uuid4(), uuid4()
    f.apply("Raised", issue, 0, hub_id=HUB, title="Letters")
    f.apply("ContributionRecorded", issue, 1, contribution_id=contribution)
    f.apply("FeedbackGiven", issue, 2, contribution_ids=[contribution])
    f.apply("ContributionWithdrawn", issue, 3, contribution_id=contribution)
    report = f.report(today=40, overdue_days=0)
    assert (report["contributions_received"], report["share_with_feedback"], report["median_days_to_feedback"],
            report["p90_days_to_feedback"], report["overdue_feedback"]) == (0, None, None, None, 0)
