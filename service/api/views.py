"""Response bodies: what the API shows of accounts, hubs and issues."""

from __future__ import annotations

from marshmallow import Schema, fields


class ProblemOut(Schema):
    """An error, as RFC 9457 problem details."""

    type = fields.String(metadata={"example": "about:blank"})
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.Raw(),
                         metadata={"description": "Per-field messages, for bad input."})
    missing = fields.List(fields.String(), metadata={"description": "Every unmet criterion, for a refused move."})


class TokenInfoOut(Schema):
    """An API token as `GET /tokens/{id}` shows it: never its secret."""

    id = fields.UUID()
    account_id = fields.UUID()
    label = fields.String()
    created_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)


class TokenOut(TokenInfoOut):
    """A new API token: as `GET /tokens/{id}` shows it, and its secret, shown only this once."""

    token = fields.String(metadata={"description": "Send as `Authorization: Bearer <token>`; shown only once."})


class AccountOut(Schema):
    id = fields.UUID()
    username = fields.String()
    role = fields.String()
    name = fields.String(metadata={"description": "Shown as a plain phrase once the person is forgotten."})
    hub_ids = fields.List(fields.UUID())


class SessionOut(Schema):
    id = fields.UUID()
    held_on = fields.String()
    place = fields.String()
    format = fields.String()
    experts_attended = fields.Integer()
    staff_attended = fields.Integer()


class HubOut(Schema):
    id = fields.UUID()
    name = fields.String()
    area = fields.String()
    lifecycle = fields.String()
    opened_on = fields.Date(allow_none=True, metadata={"description": "The day the hub started, if recorded."})
    manager_ids = fields.List(fields.UUID())
    version = fields.Integer()
    published = fields.Boolean(metadata={"description": "Whether the hub's public page is on."})


class IssueSummaryOut(Schema):
    id = fields.UUID()
    hub_id = fields.UUID()
    title = fields.String()
    stage = fields.String()
    parked = fields.Boolean()
    version = fields.Integer()


class ContributionOut(Schema):
    id = fields.UUID()
    contributor_id = fields.UUID(allow_none=True, metadata={"description": "Only to the contributor themselves."})
    contributor = fields.String(metadata={"description": "The contributor's name as they chose to be named to you: "
                                                         "full, first name only, or not at all."})
    entered_by = fields.UUID(allow_none=True, metadata={"description": "The facilitator who wrote it down, if one did."})
    channel = fields.String()
    session_id = fields.UUID(allow_none=True)
    may_quote = fields.Boolean()
    attribution = fields.String()
    text = fields.String(allow_none=True, metadata={"description": "Null when not shown to you, withdrawn or erased."})
    text_status = fields.String(metadata={"description": "shown, not_shown, withdrawn or erased"})
    withdrawn = fields.Boolean()
    themes = fields.List(fields.String())
    answered_by = fields.List(fields.UUID())
    awaiting_feedback = fields.Boolean(metadata={"description": "Still awaiting feedback (withdrawn input never is)."})
    corrected = fields.Boolean(metadata={"description": "Its contributor corrected the words: these are theirs."})


class FramingOut(Schema):
    problem = fields.String()
    affected = fields.String()


class SelectionOut(Schema):
    decision = fields.String()
    level = fields.String()
    cycle = fields.Integer()
    followed_vote = fields.Boolean(allow_none=True, metadata={
        "description": "Whether the selection followed the experts' last priority round (null: no round bound it)."})
    reason_for_experts = fields.String(metadata={"description": "Why the hub did not follow the experts' vote."})


class FindingOut(Schema):
    id = fields.UUID()
    summary = fields.String()
    contribution_ids = fields.List(fields.UUID())
    cycle = fields.Integer()


class StakeholderOut(Schema):
    name = fields.String()
    kind = fields.String()


class ActionOut(Schema):
    id = fields.UUID()
    title = fields.String()
    owner_id = fields.UUID()
    owner = fields.String()
    due = fields.String()
    contribution_ids = fields.List(fields.UUID())
    cycle = fields.Integer()
    status = fields.String()
    progress = fields.List(fields.String())
    end_note = fields.String()


class FeedbackOut(Schema):
    id = fields.UUID()
    message = fields.String()
    contribution_ids = fields.List(fields.UUID())


class LearningOut(Schema):
    id = fields.UUID()
    what_changed = fields.String()
    evidence = fields.String()
    next_steps = fields.String()
    cycle = fields.Integer()


class IssueOut(Schema):
    id = fields.UUID()
    hub_id = fields.UUID()
    title = fields.String()
    summary = fields.String(metadata={"description": "The issue in one line of plain words (blank until set)."})
    stage = fields.String()
    cycle = fields.Integer()
    parked_reason = fields.String(allow_none=True)
    framing = fields.Nested(FramingOut, allow_none=True)
    selection = fields.Nested(SelectionOut, allow_none=True)
    contributions = fields.List(fields.Nested(ContributionOut))
    findings = fields.List(fields.Nested(FindingOut))
    stakeholders = fields.List(fields.Nested(StakeholderOut))
    actions = fields.List(fields.Nested(ActionOut))
    feedback = fields.List(fields.Nested(FeedbackOut))
    learnings = fields.List(fields.Nested(LearningOut))
    outcome = fields.String(allow_none=True)
    awaiting_feedback = fields.Integer()
    next_stage = fields.String(allow_none=True)
    missing_before_next = fields.List(fields.String())
    version = fields.Integer()


class CreatedOut(Schema):
    """Something new inside an issue (input, a finding, an action, feedback, learning): its id,
    and the issue as it now stands, which lists it."""

    id = fields.UUID()
    issue = fields.Nested(IssueOut)


class MissingOut(Schema):
    stage = fields.String()
    missing = fields.List(fields.String())


class TimelineEntryOut(Schema):
    """One event of an issue in plain words (`/timeline`, and `/history`, its alias)."""

    version = fields.Integer(metadata={"description": "The issue's version this event made: the ETag's number."})
    kind = fields.String()
    stage = fields.String(metadata={"description": "The stage the issue was in when it happened."})
    when = fields.DateTime()
    who = fields.String()
    role = fields.String()
    what = fields.String()
    why = fields.String()
    level = fields.String()
    contribution_ids = fields.List(fields.UUID())


class ActionStoryOut(Schema):
    title = fields.String()
    owner = fields.String()
    due = fields.String()
    status = fields.String()
    progress = fields.List(fields.String())


class NewsOut(Schema):
    way = fields.String(metadata={"description": "email, text, letter or hub"})
    status = fields.String(metadata={"description": "sent, failed or handed_over"})
    at = fields.DateTime()
    said = fields.String(metadata={"description": "In plain words, e.g. 'We emailed you this on 3 March 2026.'"})


class FateOut(Schema):
    kind = fields.String(metadata={"description": "themed, finding, action or feedback"})
    summary = fields.String()
    by = fields.String()
    at = fields.DateTime()
    action = fields.Nested(ActionStoryOut)
    news = fields.List(fields.Nested(NewsOut), metadata={"description": "How this reached you, if it did."})


class SessionRefOut(Schema):
    held_on = fields.String()
    place = fields.String()
    format = fields.String()
    hub = fields.String()


class InputStoryOut(Schema):
    contribution_id = fields.UUID()
    issue_id = fields.UUID()
    issue_title = fields.String()
    issue_stage = fields.String()
    recorded_at = fields.DateTime()
    channel = fields.String()
    text = fields.String(allow_none=True, metadata={"description": "Null when withdrawn, or not shown to you."})
    text_status = fields.String(metadata={"description": "shown, not_shown (the contributor chose not to be "
                                                         "quoted), withdrawn or erased"})
    withdrawn = fields.Boolean()
    erased = fields.Boolean(metadata={"description": "The contributor was forgotten: the words are gone."})
    entered_by = fields.String(allow_none=True, metadata={"description": "Who recorded it on the contributor's behalf."})
    session = fields.Nested(SessionRefOut, allow_none=True)
    themes = fields.List(fields.String())
    fates = fields.List(fields.Nested(FateOut))
    awaiting_feedback = fields.Boolean()
    awaits_confirmation = fields.Boolean(metadata={"description": "Written down on the contributor's behalf and "
                                                                  "not yet confirmed or corrected by them."})
    corrected = fields.Boolean()
    may_quote = fields.Boolean()
    attribution = fields.String()


class BoardCardOut(Schema):
    issue_id = fields.UUID()
    title = fields.String()
    stage = fields.String()
    days_in_stage = fields.Integer()
    parked = fields.Boolean()
    parked_reason = fields.String(allow_none=True)
    version = fields.Integer()


class BoardStageOut(Schema):
    stage = fields.String()
    count = fields.Integer()
    issues = fields.List(fields.Nested(BoardCardOut))


class BoardOut(Schema):
    hub_id = fields.UUID()
    stages = fields.List(fields.Nested(BoardStageOut))
    parked = fields.List(fields.Nested(BoardCardOut))
    total = fields.Integer()


class OwnerActionsOut(Schema):
    owner_id = fields.UUID()
    owner = fields.String()
    committed = fields.Integer()
    completed = fields.Integer()
    overdue = fields.Integer()


class FeltOut(Schema):
    issue_id = fields.UUID()
    decision = fields.Integer(metadata={"description": "The decision's version in the issue's timeline."})
    kind = fields.String()
    claimed = fields.String()
    felt = fields.Dict(keys=fields.String(), values=fields.Integer())


class VoteReasonOut(Schema):
    round_id = fields.UUID()
    issue_id = fields.UUID()
    title = fields.String()
    reason = fields.String()
    at = fields.DateTime()


class TurnoutOut(Schema):
    round_id = fields.UUID()
    closed_at = fields.DateTime()
    voters = fields.Integer(metadata={"description": "Online and on paper."})
    voted_online = fields.Integer()
    experts = fields.Integer(metadata={"description": "The hub's experts now."})


class ExpertsVoteOut(Schema):
    selections = fields.Integer(metadata={"description": "Selections weighed against a closed priority round."})
    followed = fields.Integer(metadata={"description": "Of those, how many followed the experts' vote."})
    reasons = fields.List(fields.Nested(VoteReasonOut), metadata={"description": "Why the others did not."})
    rounds = fields.List(fields.Nested(TurnoutOut), metadata={"description": "Rounds closed in the period."})
class UnreachableOut(Schema):
    contribution_id = fields.UUID()
    recorded_at = fields.DateTime()
    issue_title = fields.String()


class AccountabilityOut(Schema):
    hub_id = fields.UUID()
    start = fields.DateTime(data_key="from")
    end = fields.DateTime(data_key="to")
    overdue_after_days = fields.Integer()
    contributions_received = fields.Integer()
    awaiting_feedback = fields.Integer(metadata={"description": "Of the input received, how much still awaits feedback."})
    share_with_feedback = fields.Float(allow_none=True)
    median_days_to_feedback = fields.Float(allow_none=True)
    p90_days_to_feedback = fields.Float(allow_none=True)
    overdue_feedback = fields.Integer()
    actions_by_owner = fields.List(fields.Nested(OwnerActionsOut))
    decisions_by_level = fields.Dict(keys=fields.String(), values=fields.Integer())
    claimed_and_felt = fields.List(fields.Nested(FeltOut))
    experts_vote = fields.Nested(ExpertsVoteOut)
    feedback_delivered = fields.Integer(metadata={"description": "Of the input received, how much had its feedback "
                                                                 "reach its author (sent, or handed over at the hub)."})
    feedback_delivered_in_time = fields.Integer(metadata={"description": "Of those, within `delivered_within_days`."})
    delivered_within_days = fields.Integer()
    unreachable = fields.List(fields.Nested(UnreachableOut), metadata={
        "description": "Input whose author cannot be reached (no way chosen, or their last message failed), "
                       "by issue and day, never by name; the first 100."})


class AuditEventOut(Schema):
    position = fields.Integer(metadata={"description": "The event's place in the whole log (`after` pages by it)."})
    occurred_at = fields.DateTime()
    actor_id = fields.UUID(allow_none=True)
    actor_role = fields.String(allow_none=True)
    hub_id = fields.UUID(allow_none=True)
    issue_id = fields.UUID(allow_none=True)
    aggregate = fields.String()
    aggregate_id = fields.UUID(allow_none=True, metadata={
        "description": "null for a person's choice of how to hear from us and their messages: see docs/privacy.md"})
    kind = fields.String()


class CheckpointOut(Schema):
    position = fields.Integer()
    chain_hash = fields.String()
    previous_position = fields.Integer()
    previous_chain_hash = fields.String()
    taken_at = fields.String()
    signature = fields.String(metadata={"description": "Ed25519, base64, over the fields above"})


class CheckpointsOut(Schema):
    public_key = fields.String(metadata={"description": "The signing key's public half (base64, Ed25519)"})
    checkpoints = fields.List(fields.Nested(CheckpointOut))


class ProjectionStatusOut(Schema):
    view = fields.String()
    position = fields.Integer()
    head = fields.Integer()
    lag = fields.Integer()
    updated_at = fields.DateTime()


class OwnedActionOut(Schema):
    """An action you own, with its issue, due date, status and latest progress note."""

    action_id = fields.UUID()
    issue_id = fields.UUID()
    issue_title = fields.String()
    hub_id = fields.UUID()
    title = fields.String()
    due = fields.Date()
    status = fields.String(metadata={"description": "open, completed or dropped"})
    last_progress = fields.String(allow_none=True, metadata={"description": "The latest progress note, if any."})
    end_note = fields.String(allow_none=True, metadata={
        "description": "Once it is completed or dropped: what it was done with, or why it was stopped."})
    overdue = fields.Boolean(metadata={"description": "Still open after its due date."})


class RoundIssueOut(Schema):
    id = fields.UUID()
    title = fields.String()


class RankedOut(Schema):
    issue_id = fields.UUID()
    title = fields.String()
    rank = fields.Integer(metadata={"description": "1 for the most dots; equal dots share a place."})
    dots = fields.Integer()


class TallyOut(Schema):
    session_id = fields.UUID()
    held_on = fields.Date()
    voters = fields.Integer()


class NotedSelectionOut(Schema):
    issue_id = fields.UUID()
    title = fields.String()
    followed = fields.Boolean()
    reason = fields.String(metadata={"description": "Why the hub did not follow the vote (empty when it did)."})
    at = fields.DateTime()


class RoundOut(Schema):
    """A priority round as you may see it: never anyone's ballot but your own, and no counts until it closes."""

    id = fields.UUID()
    hub_id = fields.UUID()
    version = fields.Integer()
    status = fields.String(metadata={"description": "open or closed"})
    closes_on = fields.Date()
    voting_ended = fields.Boolean()
    dots = fields.Integer(metadata={"description": "How many dots each person may place."})
    issues = fields.List(fields.Nested(RoundIssueOut))
    voters = fields.Integer(metadata={"description": "How many people have voted, online and on paper."})
    voted_online = fields.Integer()
    experts = fields.Integer(metadata={"description": "How many experts the hub has (for the turnout)."})
    you_voted = fields.Boolean()
    your_ballot = fields.Dict(keys=fields.UUID(), values=fields.Integer(), allow_none=True,
                              metadata={"description": "Your own dots while the round is open; null otherwise."})
    tallies = fields.List(fields.Nested(TallyOut))
    closed_at = fields.DateTime(allow_none=True)
    ranking = fields.List(fields.Nested(RankedOut), metadata={"description": "Empty until the round closes."})
    selections = fields.List(fields.Nested(NotedSelectionOut))
