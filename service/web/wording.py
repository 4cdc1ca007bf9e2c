"""Plain words for the pages: what each stage means, and how choices read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

import textstat
from markupsafe import Markup

from domain import Attribution, ParticipationLevel, SessionFormat, Stage
from domain.policies import ladder
from domain.priorities import ordinal
from domain.text import pictured

STAGE_MEANS = {
    Stage.FRAME: "The hub is agreeing what the problem is. It is deciding whether to work on it.",
    Stage.EXPLORE: "The hub and local services are looking into the problem together.",
    Stage.ACT: "People have said what they will do to change things. Each job has a named person.",
    Stage.LEARN: "The hub is looking at what changed. It tells everyone who spoke up what happened.",
    Stage.CLOSED: "The work on this issue has ended. Everyone who gave input has heard back.",
}

# A stage's name with what it means, wherever an expert reads the name.
STAGE_IN_WORDS = {
    Stage.FRAME: "agreeing what the problem is", Stage.EXPLORE: "learning more about it",
    Stage.ACT: "doing things to change it", Stage.LEARN: "looking at what changed",
    Stage.CLOSED: "the work has ended",
}


def shown(value: Any) -> Any:
    """Every value a page prints: text recorded before control characters were refused shows each as
    its picture (a direction override as "[U+202E]"), so that it cannot turn the rest of a line, or
    the page's title, around."""
    if isinstance(value, str):
        seen = pictured(value)
        if seen != value:
            return Markup(seen) if isinstance(value, Markup) else seen
    return value


def stage_named(stage: Stage | str, label: bool = True) -> str:
    """"Frame — agreeing what the problem is" (without its label: "agreeing what the problem is")."""
    return f"{Stage(stage).label} — {STAGE_IN_WORDS[Stage(stage)]}" if label else STAGE_IN_WORDS[Stage(stage)]


# The ladder of participation's rungs in one line each, shown where staff choose a level and in their history.
LEVEL_MEANS = {
    ParticipationLevel.CO_PRODUCTION: "Experts and services share power and decide together, as equals, from start to finish.",
    ParticipationLevel.CO_DESIGN: "Experts shape the answer with services, but services take the final decision.",
    ParticipationLevel.ENGAGEMENT: "Experts are listened to and can change some things, within limits services set.",
    ParticipationLevel.CONSULTATION: "Experts are asked for their views, but have no say in what is done with them.",
    ParticipationLevel.INFORMING: "Experts are told what has been decided.",
    ParticipationLevel.EDUCATING: "Experts are helped to understand a decision already taken, with no say in it.",
    ParticipationLevel.COERCION: "Experts are made to go along with a decision they had no part in.",
}


# The same rungs as experts say them: what it felt like, and an example.
LEVEL_SAID = {
    ParticipationLevel.COERCION: ("We were not asked", "We had to go along with a choice made without us."),
    ParticipationLevel.EDUCATING: ("We were told why", "Staff explained a choice they had already made."),
    ParticipationLevel.INFORMING: ("We were told", "Staff told us what they had decided."),
    ParticipationLevel.CONSULTATION: ("We were asked what we think", "Staff asked for our views, then chose without us."),
    ParticipationLevel.ENGAGEMENT: ("We could change some things", "Staff listened and changed parts of the plan."),
    ParticipationLevel.CO_DESIGN: ("We helped make the plan", "We made the plan with staff. Staff had the last word."),
    ParticipationLevel.CO_PRODUCTION: ("We decided together", "Experts and staff made the choice as equals."),
}


def level_said(level: ParticipationLevel | str) -> str:
    """A rung as experts say it: "We decided together"."""
    return LEVEL_SAID[ParticipationLevel(level)][0]


def level_name(level: ParticipationLevel | str) -> str:
    """A rung of the ladder by its proper name, e.g. "Co-production"."""
    return ParticipationLevel(level).value.capitalize()


def level_explained(level: ParticipationLevel | str) -> str:
    """A rung's name and what it means, e.g. "Consultation: experts are asked for their views, …"."""
    means = LEVEL_MEANS[ParticipationLevel(level)]
    return f"{level_name(level)}: {means[0].lower()}{means[1:]}"


def long_date(day: date | datetime | str | None, with_time: bool = False) -> str:
    """The one way pages write a day: "6 March 2023" (with the time, "6 March 2023 at 14:05"), from a
    date, a datetime or their ISO form."""
    if not day:
        return ""
    if isinstance(day, str):
        day = datetime.fromisoformat(day) if "T" in day or " " in day else date.fromisoformat(day)
    said = day.strftime("%-d %B %Y")
    return f"{said} at {day.strftime('%H:%M')}" if with_time and isinstance(day, datetime) else said


ACTION_STATUS = {"open": "Still to do", "completed": "Done", "dropped": "Stopped"}


def action_status(status: str) -> str:
    """An action's state in everyday words: "Still to do", "Done", "Stopped"."""
    return ACTION_STATUS.get(status, status)


def count(number: int, one: str, many: str) -> str:
    """"1 piece of input", "3 pieces of input"."""
    return f"{number} {one if number == 1 else many}"


LEVELS = tuple((level.value, level_name(level), LEVEL_MEANS[level]) for level in ladder(highest_first=True))


def _rung_said(level: ParticipationLevel) -> tuple[str, Markup, str]:
    said, example = LEVEL_SAID[level]
    return level.value, Markup('{} <span class="coproduce-hint">({})</span>').format(said, level_name(level)), \
        f"For example: {example}"


# The rungs as an expert chooses among them, lowest first, the ladder's own name small beside each.
LEVELS_SAID = tuple(_rung_said(level) for level in ladder())
NAMING = ((Attribution.NAME.value, "Use my full name"), (Attribution.FIRST_NAME.value, "Use my first name only"),
          (Attribution.ANONYMOUS.value, "Do not name me"))
NAMING_THEM = ((Attribution.NAME.value, "Use their full name"), (Attribution.FIRST_NAME.value, "Use their first name only"),
               (Attribution.ANONYMOUS.value, "Do not name them"))  # on a form filled in for someone else
YES_NO = (("yes", "Yes"), ("no", "No"))
FORMATS = tuple((f.value, f.value.replace("-", " ").capitalize()) for f in SessionFormat)


def excerpt(text: str | None, length: int = 90) -> str:
    if not text:
        return "(words not shown)"
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


# Events on the person's own account, username, code or choice of how to hear from us, said to them on their
# copy of their data (on someone else's, which staff may have done, KIND_WORDS: the audit trail's words).
YOUR_KIND_WORDS = {
    "Registered": "Your account was opened", "Claimed": "Your account was given its username",
    "HubJoined": "You became a member of a hub", "RoleAssigned": "Your role was changed",
    "WelcomedWithoutAccount": "You were welcomed without an account",
    "TrackingCodeGiven": "You were given a tracking code", "LinkedToFullAccount": "You were given a full account",
    "CopyGiven": "A copy of your data was made", "Started": "We began keeping how you want to hear from us",
    "ContactChosen": "How you want to hear from us was saved", "HandedOver": "You were given news at your hub",
    "MessageSent": "A message was sent to you", "MessageFailed": "A message could not reach you",
}

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
    "Registered": "Account opened", "Claimed": "Username given to an account", "HubJoined": "Joined a hub",
    "RoleAssigned": "Role changed", "Forgotten": "Person forgotten (personal data erased)",
    "SummarisedInPlainWords": "Issue said in plain words", "Published": "Hub's public page turned on",
    "Unpublished": "Hub's public page turned off", "WelcomedWithoutAccount": "Someone new welcomed without an account",
    "TrackingCodeGiven": "Tracking code given", "LinkedToFullAccount": "Someone new given a full account",
    "PriorityRoundAdded": "Priority round added to the hub", "RoundOpened": "Priority round opened",
    "BallotCast": "Took part in a priority round", "TallyRecorded": "Paper dot-vote recorded",
    "RoundClosed": "Priority round closed and counted",
    "SelectionNoted": "Hub's choice noted on the priority round",
    "VoteWeighed": "Issue's selection compared with the experts' vote", "RankedByExperts": "Ranked by the experts",
    "Started": "Record opened of how a person wants to hear from us",
    "ContactChosen": "How a person wants to hear from us was saved",
    "MessageSent": "Message sent", "MessageFailed": "Message could not be delivered",
    "HandedOver": "News given out at a session",
    "CopyGiven": "Copy of a person's data given",
}


def ended(sentence: str) -> str:
    """A sentence someone typed, with a full stop if it has no end of its own (another follows it)."""
    return sentence if sentence.rstrip()[-1:] in (".", "!", "?") else sentence.rstrip() + "."


def _input(ids: list) -> str:
    return count(len(ids), "piece of input", "pieces of input")


def _recorded(e: Any, n: Any) -> str:
    """Input written down: by the person who gave it (named as who did it), or for them by someone else."""
    where = " at a meeting" if e.session_id else ""
    quote = "It may be quoted." if e.may_quote else "It is not to be quoted."
    if str(e.actor["id"]) == str(e.contributor_id):
        return f"gave input{where}. {quote}"
    return f"wrote down what {n.contributor(e)} said{where}. {quote}"


def _rated(e: Any, n: Any) -> str:
    if not n.rating_shown(e):
        return "said how much say experts had in a decision"
    return f"said how much say experts had in a decision: “{level_said(e.level)}”"


# An issue's history as experts read it: the same events as the staff's sentences
# (projections/describe.py), in everyday words, with each stage explained.
HISTORY_SAID: dict[str, Callable[[Any, Any], str]] = {  # (event, the application's naming) -> words
    "Raised": lambda e, n: f"raised the issue “{e.title}”",
    "Renamed": lambda e, n: f"gave the issue a new name: “{e.title}”",
    "Framed": lambda e, n: f"wrote down the problem: {ended(e.problem)} Who it affects: {e.affected}",
    "Selected": lambda e, n: "chose this issue for the hub to work on",
    "ContributionRecorded": _recorded,
    "ContributionWithdrawn": lambda e, n: "took back a piece of input",
    "ContributionConfirmed": lambda e, n: "said the words written down for them are right",
    "ContributionCorrected": lambda e, n: "put a piece of input in their own words",
    "ConsentChanged": lambda e, n: "changed who may see a piece of input: "
                                   + ("it may be quoted" if e.may_quote else "it is not to be quoted"),
    "ContributionsThemed": lambda e, n: f"put {_input(e.contribution_ids)} together under “{e.theme}”",
    "FindingRecorded": lambda e, n: f"learned this from {_input(e.contribution_ids)}: {e.summary}",
    "StakeholderJoined": lambda e, n: f"said that {e.name} ({e.kind}) is now helping",
    "ActionCommitted": lambda e, n: f"agreed a job: “{e.title}”. {n.account(str(e.owner_id))} will do it "
                                    f"by {long_date(e.due)}",
    "ActionProgressReported": lambda e, n: f"said how a job is going: {e.note}",
    "ActionCompleted": lambda e, n: "finished a job" + (f": {e.note}" if e.note else ""),
    "ActionDropped": lambda e, n: "stopped a job",
    "FeedbackGiven": lambda e, n: f"answered {_input(e.contribution_ids)}: {e.message}",
    "LearningRecorded": lambda e, n: f"wrote down what changed: {ended(e.what_changed)} How we know: {e.evidence}",
    "StageAdvanced": lambda e, n: f"moved the issue on to {stage_named(e.to)}",
    "StageMovedBack": lambda e, n: f"moved the issue back to {stage_named(e.to)}",
    "Parked": lambda e, n: "put the issue on hold",
    "Reopened": lambda e, n: "took the issue off hold",
    "Closed": lambda e, n: f"closed the issue. What came of it: {e.outcome}",
    "ParticipationRated": _rated,
    "VoteWeighed": lambda e, n: ("chose this issue as the experts voted" if e.followed
                                 else "did not choose as the experts voted. This is why"),
    "RankedByExperts": lambda e, n: f"counted the experts' vote: this issue came {ordinal(e.rank)} of {e.of}",
}


EASY_TO_READ = 70  # Flesch reading ease that experts' pages reach (docs/words.md): "fairly easy" or easier


def reads_hard(text: str) -> str:
    """A gentle word when what staff wrote for experts may be hard to read (Flesch reading ease below
    what experts' pages reach); nothing when it reads easily. It never stops anything being recorded."""
    ease = textstat.flesch_reading_ease(text)
    if ease >= EASY_TO_READ:
        return ""
    return ("This may be hard for some people to read. Next time, try shorter sentences and everyday words: "
            "the experts will read it on 'What happened to my input', and in messages.")
