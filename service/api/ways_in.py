"""The API's doors for ways in without an account: an issue's plain-words summary, a hub's public page
turned on and off, and input from someone new (answered with their tracking code).
Routes are added to the hubs and issues blueprints, under their addresses."""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema, fields

from service.api import hubs, issues
from service.api.access import actor, coproduce, if_match
from service.api.issues import ERRORS, ETAG, ISSUE, LOCATION, answer, documented
from service.app import schemas as s
from service.app.presenters import hub_view


class WelcomeOut(Schema):
    account_id = fields.UUID(metadata={"description": "The contributor made for them"})
    contribution_id = fields.UUID()
    code = fields.String(metadata={"description": "Their tracking code: shown this once, never stored"})


@issues.blp.route(ISSUE + "/summary", methods=["POST"])
@issues.blp.arguments(s.SummaryIn)
@issues.blp.response(200, issues.v.IssueOut)
@documented(*ERRORS)
def summarise(payload, issue_id):
    """Say the issue in one line of plain words (its hub's managers): shown first to the public."""
    coproduce().summarise_issue(issue_id, payload["summary"], actor(), expected_version=if_match())
    return answer(issue_id)


@issues.blp.route(ISSUE + "/someone-new", methods=["POST"])
@issues.blp.arguments(s.SomeoneNewIn)
@issues.blp.response(201, WelcomeOut, headers={**LOCATION, **ETAG})
@documented(*ERRORS)
def someone_new(payload, issue_id):
    """Record input from someone without an account (the hub's facilitators): they get a tracking code."""
    welcome = coproduce().record_from_someone_new(issue_id, actor=actor(), channel="in_person", **payload)
    issue = coproduce().just_saved(issue_id) or coproduce().issue(issue_id)
    return welcome.__dict__, 201, {"Location": url_for("issues.get_issue", issue_id=issue_id),
                                   "ETag": f'"{issue.version}"'}


@hubs.blp.route(hubs.HUB + "/publishing", methods=["POST"])
@hubs.blp.arguments(s.PublishingIn)
@hubs.blp.response(200, hubs.v.HubOut)
@documented(401, 403, 404, 409, 413, 429)
def publishing(payload, hub_id):
    """Turn the hub's public page on or off (its managers, admins)."""
    change = coproduce().publish_hub if payload["published"] else coproduce().stop_publishing_hub
    change(hub_id, actor())
    return hub_view(coproduce().hub(hub_id))

