"""/api/v1/hubs/{hub_id}/rounds and /api/v1/rounds: priority rounds, ballots and paper tallies."""

from __future__ import annotations

from flask import url_for

from service.api.blueprint import Blueprint

from service.app import schemas as s
from service.api import views as v
from service.api.access import actor, coproduce, if_match
from service.api.issues import LOCATION, documented

blp = Blueprint("rounds", __name__, url_prefix="/api/v1", description="Priority rounds: what matters most to experts")

ROUND = "/rounds/<uuid:round_id>"
ERRORS = (401, 403, 404, 409, 413, 429)


@blp.route("/hubs/<uuid:hub_id>/rounds", methods=["GET"])
@blp.response(200, v.RoundOut(many=True))
@documented(401, 404, 429)
def list_rounds(hub_id):
    """The hub's priority rounds, newest first."""
    return coproduce().rounds_of_hub(hub_id, actor())


@blp.route("/hubs/<uuid:hub_id>/rounds", methods=["POST"])
@blp.arguments(s.RoundIn)
@blp.response(201, v.RoundOut, headers=LOCATION)
@documented(*ERRORS)
def open_round(payload, hub_id):
    """Open a priority round over some of the hub's issues in Frame (its managers)."""
    round_id = coproduce().open_round(hub_id, actor=actor(), **payload)
    return coproduce().round_as_seen(round_id, actor()), 201, {"Location": url_for("rounds.get_round", round_id=round_id)}


@blp.route(ROUND, methods=["GET"])
@blp.response(200, v.RoundOut)
@documented(401, 404, 429)
def get_round(round_id):
    """One round: how many have voted, your own ballot while it is open, the ranking once closed."""
    return coproduce().round_as_seen(round_id, actor())


@blp.route(ROUND + "/ballot", methods=["PUT"])
@blp.arguments(s.BallotIn)
@blp.response(200, v.RoundOut)
@documented(*ERRORS)
def cast_ballot(payload, round_id):
    """Place your dots (experts of the hub); sending another ballot replaces the first."""
    coproduce().cast_ballot(round_id, s.placed(payload["dots"]), actor())
    return coproduce().round_as_seen(round_id, actor())


@blp.route(ROUND + "/tallies", methods=["POST"])
@blp.arguments(s.TallyIn)
@blp.response(200, v.RoundOut)
@documented(*ERRORS)
def record_tally(payload, round_id):
    """Record a session's paper dot-vote (facilitators, managers); a second tally of the session replaces it."""
    coproduce().record_tally(round_id, payload["session_id"], s.placed(payload["dots"]), payload["voters"], actor())
    return coproduce().round_as_seen(round_id, actor())


@blp.route(ROUND + "/closing", methods=["POST"])
@blp.arguments(s.NoBody)
@blp.response(200, v.RoundOut)
@documented(*ERRORS, 412)
def close_round(_, round_id):
    """Count and rank (the hub's managers); after this nobody can open a ballot of the round."""
    coproduce().close_round(round_id, actor(), expected_version=if_match())
    return coproduce().round_as_seen(round_id, actor())
