"""Plain words for the pages: what each stage means, and how choices read."""

from __future__ import annotations

from datetime import date

from domain import Attribution, ParticipationLevel, SessionFormat, Stage
from domain.policies import ladder

STAGE_MEANS = {
    Stage.FRAME: "The hub is agreeing what the problem is, who it affects, and whether to work on it.",
    Stage.EXPLORE: "The hub and the services involved are finding out more about the problem together.",
    Stage.ACT: "Named people have committed to actions that should change things, and are carrying them out.",
    Stage.LEARN: "The hub is looking at what changed and telling everyone who gave input what happened to it.",
    Stage.CLOSED: "This issue is closed: the work on it has finished and everyone who gave input has heard back.",
}


# The ladder of participation's rungs in one line each, shown where a level is chosen and in the history.
LEVEL_MEANS = {
    ParticipationLevel.CO_PRODUCTION: "Experts and services share power and decide together, as equals, from start to finish.",
    ParticipationLevel.CO_DESIGN: "Experts shape the answer with services, but services take the final decision.",
    ParticipationLevel.ENGAGEMENT: "Experts are listened to and can change some things, within limits services set.",
    ParticipationLevel.CONSULTATION: "Experts are asked for their views, but have no say in what is done with them.",
    ParticipationLevel.INFORMING: "Experts are told what has been decided.",
    ParticipationLevel.EDUCATING: "Experts are helped to understand a decision already taken, with no say in it.",
    ParticipationLevel.COERCION: "Experts are made to go along with a decision they had no part in.",
}


def level_name(level: ParticipationLevel | str) -> str:
    """A rung of the ladder by its proper name, e.g. "Co-production"."""
    return ParticipationLevel(level).value.capitalize()


def level_explained(level: ParticipationLevel | str) -> str:
    """A rung's name and what it means, e.g. "Consultation: experts are asked for their views, …"."""
    means = LEVEL_MEANS[ParticipationLevel(level)]
    return f"{level_name(level)}: {means[0].lower()}{means[1:]}"


def long_date(day: date | str) -> str:
    """"6 March 2023", from a date or its ISO form."""
    return (day if isinstance(day, date) else date.fromisoformat(day)).strftime("%-d %B %Y")


def count(number: int, one: str, many: str) -> str:
    """"1 piece of input", "3 pieces of input"."""
    return f"{number} {one if number == 1 else many}"


LEVELS = tuple((level.value, level_name(level), LEVEL_MEANS[level]) for level in ladder(highest_first=True))
NAMING = ((Attribution.NAME.value, "Use my full name"), (Attribution.FIRST_NAME.value, "Use my first name only"),
          (Attribution.ANONYMOUS.value, "Do not name me"))
YES_NO = (("yes", "Yes"), ("no", "No"))
FORMATS = tuple((f.value, f.value.replace("-", " ").capitalize()) for f in SessionFormat)


def excerpt(text: str | None, length: int = 90) -> str:
    if not text:
        return "(words not shown)"
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# Each kind of event in the audit trail, in the order of an issue's cycle, then hubs and accounts.
KIND_WORDS = {
    "Raised": "Issue raised", "Renamed": "Issue renamed", "Framed": "Problem framed",
    "ContributionRecorded": "Input recorded", "ContributionWithdrawn": "Input withdrawn",
    "ContributionConfirmed": "Input confirmed by who gave it", "ContributionCorrected": "Input corrected by who gave it",
    "ConsentChanged": "Consent changed by who gave the input",
    "ContributionsThemed": "Input themed", "Selected": "Issue chosen to work on",
    "StageAdvanced": "Moved on a stage", "StageMovedBack": "Moved back a stage",
    "StakeholderJoined": "Stakeholder joined", "FindingRecorded": "Finding recorded",
    "ActionCommitted": "Action committed", "ActionProgressReported": "Progress on an action",
    "ActionCompleted": "Action completed", "ActionDropped": "Action dropped", "FeedbackGiven": "Feedback given",
    "LearningRecorded": "Learning recorded", "ParticipationRated": "Decision rated by an expert",
    "Parked": "Issue parked", "Reopened": "Issue reopened", "Closed": "Issue closed",
    "Created": "Hub added", "OpenedOnRecorded": "Hub's opening date recorded", "LifecycleAdvanced": "Hub's stage of set-up changed",
    "ManagerAssigned": "Hub manager named", "SessionRecorded": "Session recorded",
    "Registered": "Account opened", "Claimed": "Username taken", "HubJoined": "Joined a hub",
    "RoleAssigned": "Role changed", "Forgotten": "Person forgotten (personal data erased)",
    "CopyGiven": "Copy of a person's data given",
}
