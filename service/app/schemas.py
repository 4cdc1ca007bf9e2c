"""Request and response bodies of the JSON API (and so of its OpenAPI document)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import Enum

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from domain import Attribution, Channel, HubLifecycle, ParticipationLevel, Role, SessionFormat, Stage
from domain.account import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from domain.policies import FEEDBACK_DUE_DAYS
from domain.issue import SUMMARY_LENGTH
from domain.priorities import DEFAULT_DOTS, FEWEST_ISSUES, MOST_DOTS, MOST_ISSUES
from domain.text import shows_something

def something_to_read(value: str) -> None:
    """Text that must be given shows something (domain/text.py)."""
    if not shows_something(value):
        raise ValidationError("must have something to read in it, not only spaces or invisible characters")


TEXT = [validate.Length(min=1, max=5000), something_to_read]
LINE = [validate.Length(min=1, max=300), something_to_read]
PASSWORD = validate.Length(min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)  # the domain's password rule
LAST_POSITION = 2**63 - 1  # positions are 64-bit integers in both stores
# A report's period is widened by a year before its first day and a day after its last: these ends
# keep that arithmetic inside the calendar datetime can count (years 1 to 9999), with room to spare.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def day_in_range() -> validate.Range:
    return validate.Range(min=FIRST_DAY, max=LAST_DAY,
                          error=f"must be a date between {FIRST_DAY} and {LAST_DAY}")


def in_order(data: dict, first: str, last: str, first_key: str, last_key: str, inclusive: bool = True) -> None:
    """A period's last end is not before its first (`inclusive`: the last day counts, so the same day will do);
    refused on the last end's field, naming the rule. Either end missing: nothing to compare."""
    start, end = data.get(first), data.get(last)
    if start is None or end is None:
        return
    if isinstance(start, datetime) and (start.tzinfo is None) != (end.tzinfo is None):
        # One with a zone and one without cannot be compared as they are: read the one without as UTC.
        start, end = (t if t.tzinfo else t.replace(tzinfo=timezone.utc) for t in (start, end))
    if end < start or (end == start and not inclusive):
        raise ValidationError(f"must be {'on or after' if inclusive else 'after'} {first_key}", field_name=last_key)


# The same range, for the OpenAPI document (which has no minimum or maximum for dates).
DAY_PATTERN = (r"^(19[0-9]{2}|[2-8][0-9]{3}|9[0-8][0-9]{2}|99[0-8][0-9]|999[0-8])"
               r"-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")


def one_of(enum: type[Enum]) -> validate.OneOf:
    choices = [member.value for member in enum]
    return validate.OneOf(choices, error=f"must be one of: {', '.join(choices)}")


def text(**kwargs) -> fields.String:
    return fields.String(required=True, validate=TEXT, **kwargs)


def line(**kwargs) -> fields.String:
    return fields.String(required=True, validate=LINE, **kwargs)


def choice(enum: type[Enum], **kwargs) -> fields.String:
    return fields.String(required=True, validate=one_of(enum), **kwargs)


def contribution_ids() -> fields.List:
    return fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=500))


# --- requests ----------------------------------------------------------------------------

class TokenIn(Schema):
    username = line()
    password = fields.String(required=True, validate=validate.Length(min=1, max=200), load_only=True)
    label = fields.String(load_default="api", validate=validate.Length(min=1, max=100))


class AccountIn(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    role = choice(Role)
    name = line()
    contact = fields.String(load_default="", validate=validate.Length(max=300))
    password = fields.String(validate=PASSWORD, load_only=True)
    hub_ids = fields.List(fields.UUID(), load_default=list, validate=validate.Length(max=50))


class PasswordIn(Schema):
    password = fields.String(required=True, validate=PASSWORD, load_only=True)


class RoleIn(Schema):
    role = choice(Role)


class MembershipIn(Schema):
    hub_id = fields.UUID(required=True)


class HubIn(Schema):
    name = line()
    area = line()
    lifecycle = fields.String(load_default=HubLifecycle.PRE_PLANNING.value, validate=one_of(HubLifecycle))
    opened_on = fields.Date(validate=day_in_range(), metadata={"description": "The day the hub started, if it has.",
                                                               "pattern": DAY_PATTERN})


class OpenedOnIn(Schema):
    opened_on = fields.Date(required=True, validate=day_in_range(),
                            metadata={"description": "The day the hub started (not in the future).",
                                      "pattern": DAY_PATTERN})


class LifecycleIn(Schema):
    to = choice(HubLifecycle)


class ManagerIn(Schema):
    account_id = fields.UUID(required=True)


class SessionIn(Schema):
    held_on = fields.Date(required=True, validate=day_in_range(), metadata={"pattern": DAY_PATTERN})
    place = line()
    format = choice(SessionFormat)
    experts_attended = fields.Integer(required=True, validate=validate.Range(min=0, max=100000))
    staff_attended = fields.Integer(required=True, validate=validate.Range(min=0, max=100000))


class RaiseIn(Schema):
    title = line()


class RenameIn(RaiseIn):
    """An issue's new title."""


class SummaryIn(Schema):
    """An issue in one line of plain words."""

    summary = fields.String(required=True, validate=validate.Length(min=1, max=SUMMARY_LENGTH))


class FramingIn(Schema):
    problem = text()
    affected = text()


class SelectionIn(Schema):
    decision = text()
    level = choice(ParticipationLevel)
    reason_for_experts = fields.String(load_default="", validate=validate.Length(max=5000), metadata={
        "description": "Why the hub did not follow the experts' last priority round (needed when it did not)."})


class ContributionIn(Schema):
    text = text()
    channel = choice(Channel)
    may_quote = fields.Boolean(required=True)
    attribution = choice(Attribution)
    contributor_id = fields.UUID(metadata={"description": "The expert whose input this is; "
                                                          "leave out to record your own."})
    session_id = fields.UUID(metadata={"description": "The hub session it was given at."})


class CorrectionIn(Schema):
    text = text(metadata={"description": "Your input in your own words; it replaces the words recorded."})


class ConsentIn(Schema):
    may_quote = fields.Boolean(required=True)
    attribution = choice(Attribution)


class ThemeIn(Schema):
    theme = line()
    contribution_ids = contribution_ids()


class FindingIn(Schema):
    summary = text()
    contribution_ids = contribution_ids()


class StakeholderIn(Schema):
    name = line()
    kind = line()


class ActionIn(Schema):
    title = line()
    owner_id = fields.UUID(required=True)
    due = fields.Date(required=True, validate=day_in_range(), metadata={"pattern": DAY_PATTERN})
    contribution_ids = contribution_ids()


class ProgressIn(Schema):
    note = text()


class CompletionIn(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=5000))


class ReasonIn(Schema):
    reason = text()


class FeedbackIn(Schema):
    message = text()
    contribution_ids = contribution_ids()


class LearningIn(Schema):
    what_changed = text()
    evidence = text()
    next_steps = fields.String(load_default="", validate=validate.Length(max=5000))


class StageMoveIn(Schema):
    to = choice(Stage)
    reason = text()
    level = choice(ParticipationLevel)


class ClosureIn(Schema):
    outcome = text()
    level = choice(ParticipationLevel)


class NoBody(Schema):
    """For commands that need nothing more than their URL: any field sent is refused."""


class MissingQuery(Schema):
    stage = choice(Stage)


class RatingIn(Schema):
    decision = fields.Integer(required=True, validate=validate.Range(min=1),
                              metadata={"description": "The decision's version in the issue's timeline."})
    level = choice(ParticipationLevel)


class TimelineQuery(Schema):
    stage = fields.String(validate=one_of(Stage))
    kind = fields.String(validate=validate.Length(min=1, max=40))


class AccountabilityQuery(Schema):
    start = fields.Date(data_key="from", validate=day_in_range(), metadata={
        "description": f"First day (default: a year before `to`); {FIRST_DAY} to {LAST_DAY}.",
        "pattern": DAY_PATTERN})
    end = fields.Date(data_key="to", validate=day_in_range(), metadata={
        "description": f"Last day, included (default: today); {FIRST_DAY} to {LAST_DAY}; on or after `from`.",
        "pattern": DAY_PATTERN})
    overdue_days = fields.Integer(load_default=FEEDBACK_DUE_DAYS, validate=validate.Range(min=1, max=3650))

    @validates_schema
    def _period_in_order(self, data: dict, **kwargs) -> None:
        in_order(data, "start", "end", "from", "to")


class AuditQuery(Schema):
    after = fields.Integer(load_default=0, validate=validate.Range(min=0, max=LAST_POSITION),
                           metadata={"description": "Only events after this position (for paging on)."})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    actor_id = fields.UUID()
    actor_role = fields.String(validate=one_of(Role))
    hub_id = fields.UUID()
    issue_id = fields.UUID()
    kind = fields.String(validate=validate.Length(min=1, max=40))
    aggregate = fields.String(validate=validate.OneOf(["SystemicIssue", "Hub", "Account", "Username"]))
    since = fields.DateTime(metadata={"description": "Only events at or after this time."})
    until = fields.DateTime(metadata={"description": "Only events before this time; after `since`, if both are given."})

    @validates_schema
    def _period_in_order(self, data: dict, **kwargs) -> None:
        in_order(data, "since", "until", "since", "until", inclusive=False)


class ExportQuery(AuditQuery):
    format = fields.String(load_default="jsonl", validate=validate.OneOf(["jsonl", "csv"]))
    limit = fields.Integer(load_default=1_000_000, validate=validate.Range(min=1, max=10_000_000))


class CopyIn(Schema):
    requested_by = line(metadata={"description": "Who asked, and how: 'the person, by letter of 3 May 2026'. "
                                                 "Kept in the audit trail: not a name."})


class ForgetIn(Schema):
    requested_by = line(metadata={"description": "Who asked: the person themselves, or who for them."})
    authority = line(metadata={"description": "On what basis, e.g. 'UK GDPR Article 17 request of 3 May'."})


class PublishingIn(Schema):
    published = fields.Boolean(required=True, metadata={"description": "true: turn the public page on; false: off"})


class SomeoneNewIn(Schema):
    """Input from someone new, said at one of the hub's sessions: they get a tracking code."""

    name = fields.String(load_default="", validate=validate.Length(max=60),
                         metadata={"description": "A first name or nickname, if they gave one; none means anonymous."})
    text = text()
    may_quote = fields.Boolean(required=True)
    attribution = choice(Attribution)
    session_id = fields.UUID(required=True)
# --- priority rounds ---------------------------------------------------------------------

class DotsIn(Schema):
    issue_id = fields.UUID(required=True)
    dots = fields.Integer(strict=True, required=True, validate=validate.Range(min=0, max=1_000_000))


def dots_per_issue() -> fields.List:
    return fields.List(fields.Nested(DotsIn), required=True, validate=validate.Length(min=1, max=MOST_ISSUES),
                       metadata={"description": "Dots per issue of the round (an issue named twice gets both)."})


def placed(dots: list[dict]) -> dict:
    """Dots per issue id, from the list a request sends."""
    counted: dict = {}
    for item in dots:
        counted[item["issue_id"]] = counted.get(item["issue_id"], 0) + item["dots"]
    return counted


class RoundIn(Schema):
    issue_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=FEWEST_ISSUES, max=MOST_ISSUES))
    closes_on = fields.Date(required=True, validate=day_in_range(), metadata={"pattern": DAY_PATTERN})
    dots = fields.Integer(load_default=DEFAULT_DOTS, validate=validate.Range(min=1, max=MOST_DOTS))


class BallotIn(Schema):
    dots = dots_per_issue()


class TallyHeadIn(Schema):
    """A paper tally's session and how many voted (the pages ask for its dots issue by issue)."""

    session_id = fields.UUID(required=True)
    voters = fields.Integer(required=True, validate=validate.Range(min=1, max=100000))


class TallyIn(TallyHeadIn):
    dots = dots_per_issue()
