"""/api/v1 read models: timelines, "my input", hub boards, accountability and the audit trail."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response

from service.app import schemas as s
from service.api import views as v
from service.api.access import actor, coproduce, if_match
from service.api.blueprint import Blueprint
from service.api.issues import answer, documented
from service.api.paging import page_of

blp = Blueprint("reads", __name__, url_prefix="/api/v1", description="What happened: timelines, input, boards, audit")



@blp.route("/issues/<uuid:issue_id>/timeline", methods=["GET"])
@blp.arguments(s.TimelineQuery, location="query")
@blp.response(200, v.TimelineEntryOut(many=True))
@blp.paginate()
@documented(401, 404, 429)
def timeline(query, issue_id, pagination_parameters):
    """Every event of the issue in plain words; filter by the stage it happened in, or its kind."""
    return page_of(coproduce().timeline(issue_id, actor(), **query), pagination_parameters)


@blp.route("/issues/<uuid:issue_id>/ratings", methods=["POST"])
@blp.arguments(s.RatingIn)
@blp.response(200, v.IssueOut)
@documented(401, 403, 404, 409, 412, 413, 429)
def rate(payload, issue_id):
    """Say at which participation level a decision really felt taken (experts)."""
    coproduce().rate_participation(issue_id, payload["decision"], payload["level"], actor(),
                                   expected_version=if_match())
    return answer(issue_id)


@blp.route("/me/input", methods=["GET"])
@blp.response(200, v.InputStoryOut(many=True))
@blp.paginate()
@documented(401, 429)
def my_input(pagination_parameters):
    """What happened to each piece of your input, newest first."""
    return _input_page(None, pagination_parameters)


@blp.route("/accounts/<uuid:account_id>/input", methods=["GET"])
@blp.response(200, v.InputStoryOut(many=True))
@blp.paginate()
@documented(401, 403, 404, 429)
def someones_input(account_id, pagination_parameters):
    """What happened to one person's input (auditors and admins)."""
    return _input_page(account_id, pagination_parameters)


def _input_page(person: UUID | None, pagination_parameters) -> list:
    """Only the page asked for is read and opened, however much the person has said."""
    page = coproduce().my_input_page(actor(), pagination_parameters.first_item, pagination_parameters.page_size,
                                     contributor_id=person)
    pagination_parameters.item_count = page.total
    return page.stories


@blp.route("/hubs/<uuid:hub_id>/board", methods=["GET"])
@blp.response(200, v.BoardOut)
@documented(401, 404, 429)
def board(hub_id):
    """The hub's issues by stage, with days in stage and what is parked."""
    return coproduce().hub_board(hub_id, actor())


@blp.route("/hubs/<uuid:hub_id>/accountability", methods=["GET"])
@blp.arguments(s.AccountabilityQuery, location="query")
@blp.response(200, v.AccountabilityOut)
@documented(401, 403, 404, 429)
def accountability(query, hub_id):
    """Was input answered, were actions done, how were decisions taken: one hub, one period."""
    return coproduce().accountability(hub_id, actor(), query.get("start"), query.get("end"), query["overdue_days"])


@blp.route("/audit", methods=["GET"])
@blp.arguments(s.AuditQuery, location="query")
@blp.response(200, v.AuditEventOut(many=True))
@documented(401, 403, 429)
def audit(query):
    """The audit trail: every event, filtered; page on with `after` = the last position seen."""
    return coproduce().audit_trail(actor(), **_text_filters(query))


@blp.route("/audit/export", methods=["GET"])
@blp.arguments(s.ExportQuery, location="query")
@blp.doc(responses={200: {"description": "The matching events, as JSON Lines or CSV", "content": {
    "application/x-ndjson": {"schema": {"type": "string"}}, "text/csv": {"schema": {"type": "string"}}}}})
@documented(401, 403, 429)
def export(query):
    """Download the audit trail (filtered) as JSON Lines or CSV."""
    fmt = query.pop("format")
    download = coproduce().audit_export(actor(), fmt, **_text_filters(query))
    return Response(download.lines, mimetype=download.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{download.filename}"'})


@blp.route("/audit/checkpoints", methods=["GET"])
@blp.response(200, v.CheckpointsOut)
@documented(401, 403, 429)
def checkpoints():
    """The signed checkpoints of the history, and the key to check them with."""
    return coproduce().audit_checkpoints(actor())


@blp.route("/audit/log", methods=["GET"])
@blp.doc(responses={200: {"description": "The whole log with its hash chain and checkpoints (JSON Lines), "
                                         "for projections/auditchain.py", "content": {
    "application/x-ndjson": {"schema": {"type": "string"}}}}})
@documented(401, 403, 429)
def log_export():
    """Download the whole event log, hash chain and checkpoints, to verify offline."""
    return Response(coproduce().audit_log(actor()), mimetype="application/x-ndjson",
                    headers={"Content-Disposition": 'attachment; filename="coproduce-log.jsonl"'})


@blp.route("/projections", methods=["GET"])
@blp.response(200, v.ProjectionStatusOut(many=True))
@documented(401, 403, 429)
def projections():
    """Each read model's position in the event log, and how far behind the log's head it is (auditors, admins)."""
    return coproduce().projections_status(actor())


def _text_filters(query: dict[str, Any]) -> dict[str, Any]:
    return {k: str(value) if k.endswith("_id") else value for k, value in query.items()}


@blp.route("/me/actions", methods=["GET"])
@blp.response(200, v.OwnedActionOut(many=True))
@blp.paginate()
@documented(401, 429)
def my_actions(pagination_parameters):
    """The actions you own: open ones first, overdue before the rest, soonest due first."""
    return page_of(coproduce().actions_owned(actor()), pagination_parameters)
