"""Small bar charts as data for an SVG template: server-drawn, readable without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.policies import ladder
from service.web.wording import count, level_name

BAR_WIDTH = 260  # the longest bar, in SVG units (the chart is 340 wide, to read well on a phone)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str  # the value as the chart prints it
    length: float
    colour: str


@dataclass(frozen=True)
class Chart:
    title: str
    description: str  # for screen readers, and the same facts as a sentence
    bars: list[Bar]

    @property
    def height(self) -> int:
        return 44 * len(self.bars) + 8


def chart(title: str, description: str, rows: list[tuple[str, float, str, str]]) -> Chart:
    """Bars scaled to the longest one."""
    top = max([value for _, value, _, _ in rows] + [1])
    return Chart(title, description, [Bar(label, value, shown, BAR_WIDTH * value / top if top else 0, colour)
                                      for label, value, shown, colour in rows])


BLUE, GREEN, GREY, RED, PURPLE = "#005eb8", "#007f3b", "#4c6272", "#d5281b", "#330072"


def feedback_within(report: dict[str, Any]) -> Chart:
    received = report["contributions_received"]
    overdue = report["overdue_feedback"]
    answered = received - report["awaiting_feedback"]
    waiting = report["awaiting_feedback"] - overdue
    days = report["overdue_after_days"]
    within = count(days, "day", "days")
    return chart(f"Feedback within {within}",
                 f"Of {count(received, 'piece', 'pieces')} of input, {answered} had feedback, "
                 f"{count(waiting, 'is', 'are')} still within {within}, and "
                 f"{count(overdue, 'has', 'have')} waited longer than {within}.",
                 [("Had feedback", answered, str(answered), GREEN),
                  (f"Waiting, under {within}", waiting, str(waiting), GREY),
                  (f"Waiting over {within}", overdue, str(overdue), RED)])


def _days(value: float | None) -> str:
    return "none yet" if value is None else f"{value:.1f} {'day' if value == 1 else 'days'}"


def time_to_feedback(report: dict[str, Any]) -> Chart:
    median, p90 = report["median_days_to_feedback"], report["p90_days_to_feedback"]
    days = report["overdue_after_days"]
    measured = (f"Half of the input that had feedback had it within {_days(median)}; nine in ten within "
                f"{_days(p90)}." if median is not None and p90 is not None
                else "No input had feedback in this period.")
    promise = count(days, "day", "days")
    return chart("Time to feedback", f"{measured} The promise is {promise}.",
                 [("Half answered within", median or 0, _days(median), BLUE),
                  ("Nine in ten within", p90 or 0, _days(p90), BLUE),
                  ("The promise", days, promise, GREY)])


def claimed_and_felt(report: dict[str, Any]) -> Chart:
    felt: dict[str, int] = {}
    for decision in report["claimed_and_felt"]:
        for level, how_many in decision["felt"].items():
            felt[level] = felt.get(level, 0) + how_many
    claimed = report["decisions_by_level"]
    rows = []
    for level in ladder(highest_first=True):
        name = level_name(level)
        rows.append((f"{name}: claimed", claimed.get(level.value, 0), str(claimed.get(level.value, 0)), PURPLE))
        rows.append((f"{name}: felt", felt.get(level.value, 0), str(felt.get(level.value, 0)), BLUE))
    return chart("Participation: claimed and felt",
                 f"{count(sum(claimed.values()), 'decision was', 'decisions were')} recorded with the level of "
                 f"participation the hub claimed; experts said how decisions felt to them "
                 f"{count(sum(felt.values()), 'time', 'times')}.", rows)
