"""/api/v1: how a person wants to hear what happened to their input, and news handed over at a hub."""

from __future__ import annotations

from flask_smorest import abort
from marshmallow import Schema, fields

from service.api.access import actor, coproduce
from service.api.blueprint import Blueprint
from service.api.issues import documented
from service.app.contact_schemas import ContactIn, HandOverIn
from service.app.deliveries import HandOverRefused

blp = Blueprint("keeping_posted", __name__, url_prefix="/api/v1",
                description="How we keep you posted: your choice, and news handed over at a hub")


class ContactOut(ContactIn):
    chosen = fields.Boolean(metadata={"description": "False until a choice is recorded (nothing is sent)."})
    changed_by_someone_else = fields.Boolean(metadata={
        "description": "True when staff last recorded your choice for you, at a session: news about an issue on "
                       "which you gave input with no name is then not sent, only shown on your page, until you "
                       "choose for yourself."})
    last_changed_by = fields.String(allow_none=True, metadata={
        "description": "Who last changed your choice, if it was not you."})
    last_changed_on = fields.DateTime(allow_none=True, metadata={"description": "When your choice was last changed."})
    last_changed_at = fields.String(allow_none=True, metadata={
        "description": "At which session someone else changed it, in words."})


class HandOverOut(Schema):
    handed_over = fields.Integer()


class HandOverItemOut(Schema):
    message_key = fields.String()
    person_id = fields.String()
    name = fields.String()
    issue_title = fields.String()
    kind = fields.String()
    said = fields.String(metadata={"description": "What happened, in plain words."})
    what = fields.String()
    due_at = fields.DateTime()


@blp.route("/me/contact", methods=["GET"])
@blp.response(200, ContactOut)
@documented(401, 429)
def my_contact():
    """How you want to hear what happened to your input: which ways, about what, how often, and your details."""
    return coproduce().contact_of(actor())


@blp.route("/me/contact", methods=["PUT"])
@blp.arguments(ContactIn)
@blp.response(200, ContactOut)
@documented(401, 413, 422, 429)
def choose_contact(payload):
    """Record how you want to hear from us; `ways: []` means not at all."""
    return coproduce().choose_contact(actor(), payload)


@blp.route("/hubs/<uuid:hub_id>/sessions/<uuid:session_id>/contact/<uuid:person_id>", methods=["PUT"])
@blp.arguments(ContactIn)
@blp.response(204)
@documented(401, 403, 404, 413, 422, 429)
def choose_contact_for(payload, hub_id, session_id, person_id):
    """Record an expert's choice on their word, at a session of their hub (facilitators, hub managers)."""
    coproduce().choose_contact_for(person_id, hub_id, session_id, payload, actor())


@blp.route("/hubs/<uuid:hub_id>/hand-over", methods=["GET"])
@blp.response(200, HandOverItemOut(many=True))
@documented(401, 403, 404, 429)
def hand_over_sheet(hub_id):
    """The news waiting to be given out at the hub's next session, person by person."""
    return coproduce().hand_over_sheet(hub_id, actor())


@blp.route("/hubs/<uuid:hub_id>/hand-overs", methods=["POST"])
@blp.arguments(HandOverIn)
@blp.response(200, HandOverOut)
@documented(401, 403, 404, 409, 413, 422, 429)
def hand_over(payload, hub_id):
    """Record that people were given their news at a session of the hub (held on or after the news came)."""
    try:
        return {"handed_over": coproduce().hand_over(hub_id, payload["session_id"], payload["message_keys"], actor())}
    except HandOverRefused as refused:
        abort(422, errors={"json": {refused.field: [refused.why]}})
