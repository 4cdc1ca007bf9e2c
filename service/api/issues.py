"""/api/v1/issues: an issue's state, its history and every command on it."""

from __future__ import annotations

from uuid import UUID

from flask import url_for

from service.http import idempotency
from service.api.blueprint import Blueprint

from domain import Stage
from service.app import schemas as s
from service.api import views as v
from service.api.access import actor, coproduce, if_match
from service.api.paging import page_of
from service.api.preferences import MINIMAL, prefers_minimal

blp = Blueprint("issues", __name__, url_prefix="/api/v1/issues", description="Systemic issues and their stages")

ISSUE = "/<uuid:issue_id>"
ERRORS = (401, 403, 404, 409, 412, 413, 429)
ETAG = {"ETag": {"description": "The issue's version", "schema": {"type": "string"}}}
LOCATION = {"Location": {"description": "The URL of what was created (for something inside an issue: the issue's)",
                         "schema": {"type": "string"}, "required": True}}


def documented(*codes: int):
    """Document the problem responses a route can give."""
    def wrap(func):
        for code in codes:
            func = blp.alt_response(code, success=False)(func)
        return func
    return wrap


def answer(issue_id: UUID, status: int = 200, created: UUID | None = None):
    """A command's answer: the issue as the command left it, its version as the ETag. With
    `Prefer: return=minimal`, only the issue's id and version: the same shape, without the
    cost of rendering every contribution. A 201 names the issue as its Location: the issue
    itself, or the issue that now lists what was `created` in it."""
    issue = coproduce().just_saved(issue_id) or coproduce().issue(issue_id)
    headers = _etag(issue)
    if status == 201:
        headers["Location"] = url_for("issues.get_issue", issue_id=issue_id)
    if prefers_minimal():
        body = {"id": issue.id, "version": issue.version}
        headers["Preference-Applied"] = MINIMAL
    else:
        body = coproduce().issue_as_seen(issue_id, actor(), issue)
        idempotency.replay_as("issue", issue_id=str(issue_id), created=created and str(created))
    return ({"id": created, "issue": body} if created else body), status, headers


@idempotency.renders("issue")
def _answer_again(recipe: dict) -> dict:
    """A kept answer's body, rendered again as the issue now stands, for whoever retries (kept
    answers hold no one's words)."""
    body = coproduce().issue_as_seen(UUID(recipe["issue_id"]), actor())
    created = recipe["created"]
    return v.CreatedOut().dump({"id": created, "issue": body}) if created else v.IssueOut().dump(body)


def _etag(issue) -> dict[str, str]:
    """The issue's version as its ETag, which If-Match names to refuse a stale change."""
    return {"ETag": f'"{issue.version}"'}


@blp.route(ISSUE, methods=["GET"])
@blp.response(200, v.IssueOut, headers=ETAG)
@documented(401, 404, 429)
def get_issue(issue_id):
    """An issue, with its input, decisions and what is missing before its next stage."""
    issue = coproduce().readable_issue(issue_id, actor())
    return coproduce().issue_as_seen(issue_id, actor(), issue), 200, _etag(issue)


@blp.route(ISSUE + "/missing", methods=["GET"])
@blp.arguments(s.MissingQuery, location="query")
@blp.response(200, v.MissingOut)
@documented(401, 404, 429)
def missing(query, issue_id):
    """What is still missing before the issue may advance to a stage."""
    return {"stage": query["stage"], "missing": coproduce().missing_before(issue_id, Stage(query["stage"]), actor())}


@blp.route(ISSUE + "/history", methods=["GET"])
@blp.arguments(s.TimelineQuery, location="query")
@blp.response(200, v.TimelineEntryOut(many=True))
@blp.paginate()
@documented(401, 404, 429)
def history(query, issue_id, pagination_parameters):
    """The issue's timeline under the name the web page and the command line use: the same answer,
    the same filters, as `/timeline`."""
    return page_of(coproduce().timeline(issue_id, actor(), **query), pagination_parameters)


@blp.route(ISSUE + "/title", methods=["POST"])
@blp.arguments(s.RenameIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def rename(payload, issue_id):
    """Give the issue a new title (its hub's managers)."""
    coproduce().rename_issue(issue_id, payload["title"], actor(), expected_version=if_match())
    return answer(issue_id)


@blp.route(ISSUE + "/framing", methods=["POST"])
@blp.arguments(s.FramingIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def frame(payload, issue_id):
    """Record the framing statement: the problem and who it affects."""
    coproduce().frame(issue_id, actor=actor(), expected_version=if_match(), **payload)
    return answer(issue_id)


@blp.route(ISSUE + "/selection", methods=["POST"])
@blp.arguments(s.SelectionIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def select(payload, issue_id):
    """Record the decision to work on the issue, and its participation level."""
    coproduce().select(issue_id, actor=actor(), expected_version=if_match(), **payload)
    return answer(issue_id)


@blp.route(ISSUE + "/contributions", methods=["POST"])
@blp.arguments(s.ContributionIn)
@blp.response(201, v.CreatedOut, headers={**ETAG, **LOCATION})
@documented(*ERRORS)
def contribute(payload, issue_id):
    """Add input: your own, or (as a facilitator) an expert's, given at a session."""
    contributor = payload.pop("contributor_id", None) or actor().account_id
    created = coproduce().record_contribution(issue_id, contributor, payload.pop("text"), actor(),
                                              expected_version=if_match(), **payload)
    return answer(issue_id, 201, created)


@blp.route(ISSUE + "/contributions/<uuid:contribution_id>/withdrawal", methods=["POST"])
@blp.arguments(s.NoBody)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def withdraw(_, issue_id, contribution_id):
    """Withdraw your own input."""
    coproduce().withdraw_contribution(issue_id, contribution_id, actor(), expected_version=if_match())
    return answer(issue_id)


@blp.route(ISSUE + "/contributions/<uuid:contribution_id>/confirmation", methods=["POST"])
@blp.arguments(s.NoBody)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def confirm(_, issue_id, contribution_id):
    """Say that what a facilitator wrote down for you is right."""
    coproduce().confirm_contribution(issue_id, contribution_id, actor(), expected_version=if_match())
    return answer(issue_id)


@blp.route(ISSUE + "/contributions/<uuid:contribution_id>/correction", methods=["POST"])
@blp.arguments(s.CorrectionIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def correct(payload, issue_id, contribution_id):
    """Put your input in your own words (written down for you, or given in the issue's current stage)."""
    coproduce().correct_contribution(issue_id, contribution_id, payload["text"], actor(), expected_version=if_match())
    return answer(issue_id)


@blp.route(ISSUE + "/contributions/<uuid:contribution_id>/consent", methods=["POST"])
@blp.arguments(s.ConsentIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def change_consent(payload, issue_id, contribution_id):
    """Change whether your input may be quoted and how you are named; every page follows from now on."""
    coproduce().change_consent(issue_id, contribution_id, actor=actor(), expected_version=if_match(), **payload)
    return answer(issue_id)


@blp.route(ISSUE + "/themes", methods=["POST"])
@blp.arguments(s.ThemeIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def theme(payload, issue_id):
    """Group contributions under a theme."""
    coproduce().theme_contributions(issue_id, actor=actor(), expected_version=if_match(), **payload)
    return answer(issue_id)


@blp.route(ISSUE + "/findings", methods=["POST"])
@blp.arguments(s.FindingIn)
@blp.response(201, v.CreatedOut, headers={**ETAG, **LOCATION})
@documented(*ERRORS)
def record_finding(payload, issue_id):
    """Record what exploring showed, linked to the input behind it."""
    created = coproduce().record_finding(issue_id, actor=actor(), expected_version=if_match(), **payload)
    return answer(issue_id, 201, created)


@blp.route(ISSUE + "/stakeholders", methods=["POST"])
@blp.arguments(s.StakeholderIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def add_stakeholder(payload, issue_id):
    """Record an organisation or role that joined the issue."""
    coproduce().add_stakeholder(issue_id, actor=actor(), expected_version=if_match(), **payload)
    return answer(issue_id)


@blp.route(ISSUE + "/actions", methods=["POST"])
@blp.arguments(s.ActionIn)
@blp.response(201, v.CreatedOut, headers={**ETAG, **LOCATION})
@documented(*ERRORS)
def commit_action(payload, issue_id):
    """Commit to an action with a named owner and a due date."""
    created = coproduce().commit_action(issue_id, actor=actor(), expected_version=if_match(), **payload)
    return answer(issue_id, 201, created)


@blp.route(ISSUE + "/actions/<uuid:action_id>/progress", methods=["POST"])
@blp.arguments(s.ProgressIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def report_progress(payload, issue_id, action_id):
    """Report progress on an action (its owner, or a hub manager)."""
    coproduce().report_progress(issue_id, action_id, payload["note"], actor(), expected_version=if_match())
    return answer(issue_id)


@blp.route(ISSUE + "/actions/<uuid:action_id>/completion", methods=["POST"])
@blp.arguments(s.CompletionIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def complete_action(payload, issue_id, action_id):
    """Mark an action as completed."""
    coproduce().complete_action(issue_id, action_id, payload["note"], actor(), expected_version=if_match())
    return answer(issue_id)


@blp.route(ISSUE + "/actions/<uuid:action_id>/drop", methods=["POST"])
@blp.arguments(s.ReasonIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def drop_action(payload, issue_id, action_id):
    """Drop an action, saying why."""
    coproduce().drop_action(issue_id, action_id, payload["reason"], actor(), expected_version=if_match())
    return answer(issue_id)


@blp.route(ISSUE + "/feedback", methods=["POST"])
@blp.arguments(s.FeedbackIn)
@blp.response(201, v.CreatedOut, headers={**ETAG, **LOCATION})
@documented(*ERRORS)
def give_feedback(payload, issue_id):
    """Tell contributors what happened with their input."""
    created = coproduce().give_feedback(issue_id, actor=actor(), expected_version=if_match(), **payload)
    return answer(issue_id, 201, created)


@blp.route(ISSUE + "/learning", methods=["POST"])
@blp.arguments(s.LearningIn)
@blp.response(201, v.CreatedOut, headers={**ETAG, **LOCATION})
@documented(*ERRORS)
def record_learning(payload, issue_id):
    """Record what changed, the evidence and what to do next."""
    created = coproduce().record_learning(issue_id, actor=actor(), expected_version=if_match(), **payload)
    return answer(issue_id, 201, created)


@blp.route(ISSUE + "/advance", methods=["POST"])
@blp.arguments(s.StageMoveIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def advance(payload, issue_id):
    """Advance to the next stage; refused with every unmet criterion listed."""
    coproduce().advance_stage(issue_id, actor=actor(), expected_version=if_match(), **payload)
    return answer(issue_id)


@blp.route(ISSUE + "/move-back", methods=["POST"])
@blp.arguments(s.StageMoveIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def move_back(payload, issue_id):
    """Move back to an earlier stage (from learn: a new cycle), saying why."""
    coproduce().move_back(issue_id, actor=actor(), expected_version=if_match(), **payload)
    return answer(issue_id)


@blp.route(ISSUE + "/parking", methods=["POST"])
@blp.arguments(s.ReasonIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def park(payload, issue_id):
    """Park the issue, saying why."""
    coproduce().park(issue_id, payload["reason"], actor(), expected_version=if_match())
    return answer(issue_id)


@blp.route(ISSUE + "/reopening", methods=["POST"])
@blp.arguments(s.ReasonIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def reopen(payload, issue_id):
    """Take a parked issue back up."""
    coproduce().reopen(issue_id, payload["reason"], actor(), expected_version=if_match())
    return answer(issue_id)


@blp.route(ISSUE + "/closure", methods=["POST"])
@blp.arguments(s.ClosureIn)
@blp.response(200, v.IssueOut)
@documented(*ERRORS)
def close(payload, issue_id):
    """Close the issue from learn, with its outcome; refused while input awaits feedback."""
    coproduce().close_issue(issue_id, actor=actor(), expected_version=if_match(), **payload)
    return answer(issue_id)
