"""/api/v1/hubs: hubs, their sessions and their issues."""

from __future__ import annotations

import dataclasses
from uuid import UUID

from flask import url_for

from service.api.blueprint import Blueprint

from service.app import schemas as s
from service.api import views as v
from service.api.access import actor, coproduce
from service.api.issues import ETAG, LOCATION, answer, documented
from service.api.paging import page_of
from service.app.presenters import hub_view

blp = Blueprint("hubs", __name__, url_prefix="/api/v1/hubs", description="Hubs, their sessions and issues")

HUB = "/<uuid:hub_id>"


@blp.route("", methods=["GET"])
@blp.response(200, v.HubOut(many=True))
@blp.paginate()
@documented(401, 429)
def list_hubs(pagination_parameters):
    """The hubs you can see."""
    hubs = coproduce().board_hubs(actor())
    return [hub_view(coproduce().hub(UUID(h.hub_id))) for h in page_of(hubs, pagination_parameters)]


@blp.route("", methods=["POST"])
@blp.arguments(s.HubIn)
@blp.response(201, v.HubOut, headers=LOCATION)
@documented(401, 403, 409, 413, 429)
def create_hub(payload):
    """Create a hub (admins)."""
    hub_id = coproduce().create_hub(actor=actor(), **payload)
    return hub_view(coproduce().hub(hub_id)), 201, {"Location": url_for("hubs.get_hub", hub_id=hub_id)}


@blp.route(HUB, methods=["GET"])
@blp.response(200, v.HubOut)
@documented(401, 404, 429)
def get_hub(hub_id):
    """One hub."""
    return hub_view(coproduce().readable_hub(hub_id, actor()))


@blp.route(HUB + "/lifecycle", methods=["POST"])
@blp.arguments(s.LifecycleIn)
@blp.response(200, v.HubOut)
@documented(401, 403, 404, 409, 413, 429)
def advance_lifecycle(payload, hub_id):
    """Move the hub one step on in its lifecycle (admins)."""
    coproduce().advance_hub_lifecycle(hub_id, payload["to"], actor())
    return hub_view(coproduce().hub(hub_id))


@blp.route(HUB + "/opened-on", methods=["POST"])
@blp.arguments(s.OpenedOnIn)
@blp.response(200, v.HubOut)
@documented(401, 403, 404, 409, 413, 429)
def record_opening(payload, hub_id):
    """Record (or correct) the day the hub started (admins)."""
    coproduce().record_hub_opening(hub_id, payload["opened_on"], actor())
    return hub_view(coproduce().hub(hub_id))


@blp.route(HUB + "/managers", methods=["POST"])
@blp.arguments(s.ManagerIn)
@blp.response(200, v.HubOut)
@documented(401, 403, 404, 409, 413, 429)
def assign_manager(payload, hub_id):
    """Make a hub manager's account manage this hub (admins)."""
    coproduce().assign_manager(hub_id, payload["account_id"], actor())
    return hub_view(coproduce().hub(hub_id))


@blp.route(HUB + "/sessions", methods=["GET"])
@blp.response(200, v.SessionOut(many=True))
@blp.paginate()
@documented(401, 404, 429)
def list_sessions(hub_id, pagination_parameters):
    """The hub's sessions."""
    sessions = list(coproduce().readable_hub(hub_id, actor()).sessions.values())
    return [dataclasses.asdict(x) for x in page_of(sessions, pagination_parameters)]


@blp.route(HUB + "/sessions", methods=["POST"])
@blp.arguments(s.SessionIn)
@blp.response(201, v.SessionOut, headers=LOCATION)
@documented(401, 403, 404, 409, 413, 429)
def record_session(payload, hub_id):
    """Record a session where input was gathered (facilitators and managers); its Location is
    the hub's list of sessions, where it is shown (a session has no URL of its own)."""
    session_id = coproduce().record_session(hub_id, actor(), **payload)
    session = dataclasses.asdict(coproduce().hub(hub_id).session(session_id))
    return session, 201, {"Location": url_for("hubs.list_sessions", hub_id=hub_id)}


@blp.route(HUB + "/issues", methods=["GET"])
@blp.response(200, v.IssueSummaryOut(many=True))
@blp.paginate()
@documented(401, 404, 429)
def list_issues(hub_id, pagination_parameters):
    """The hub's issues with their stage."""
    issues = coproduce().board_issues(hub_id, actor())
    return [{"id": i.issue_id, "hub_id": i.hub_id, "title": i.title, "stage": i.stage,
             "parked": i.parked_reason is not None, "version": i.version}
            for i in page_of(issues, pagination_parameters)]


@blp.route(HUB + "/issues", methods=["POST"])
@blp.arguments(s.RaiseIn)
@blp.response(201, v.IssueOut, headers={**ETAG, **LOCATION})
@documented(401, 403, 404, 409, 413, 429)
def raise_issue(payload, hub_id):
    """Raise an issue in the hub; it starts in frame."""
    issue_id = coproduce().raise_issue(hub_id, payload["title"], actor())
    return answer(issue_id, 201)
