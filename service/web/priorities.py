"""Priority rounds: experts say what matters most to them; managers open and close rounds; facilitators
record a room's paper dot-vote. Every page asks the application, which never shows anyone's ballot but
the asker's own."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import flash, redirect, render_template, request, url_for
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

from domain import DomainError, NotAllowed, NotFound
from domain.priorities import DEFAULT_DOTS, FEWEST_VOTERS, MOST_DOTS
from service.app import schemas as s
from service.app.authorization import Permission as P
from service.web.blueprint import acting, web
from service.web.form_page import form_page, form_version, refusal
from service.web.forms import Field, FormInvalid, read
from service.web.signin import coproduce


def _dot_fields(round_: dict[str, Any], label: str) -> list[Field]:
    return [Field(f"dots-{issue['id']}", label.format(title=issue["title"]), "number") for issue in round_["issues"]]


def _dots_schema(round_: dict[str, Any]) -> Schema:
    whole = fields.Integer(load_default=0, validate=validate.Range(min=0, max=1_000_000, error="must be 0 or more, and no more than {max}"))
    return Schema.from_dict({f"dots-{issue['id']}": whole for issue in round_["issues"]})()


def _dots(round_: dict[str, Any], form: MultiDict, questions: list[Field]) -> dict[UUID, int]:
    placed = read(_dots_schema(round_), form, questions)
    return {UUID(name.removeprefix("dots-")): count for name, count in placed.items() if count}


def _page(hub_id: UUID, errors: dict[str, str] | None = None, values: MultiDict | None = None, status: int = 200):
    me = acting()
    hub = coproduce().readable_hub(hub_id, me)
    rounds = coproduce().rounds_of_hub(hub_id, me)
    return render_template(
        "web/priorities.jinja", hub=hub, rounds=rounds, fewest_voters=FEWEST_VOTERS, errors=errors or {},
        values=values,
        ballot_questions={str(r["id"]): _dot_fields(r, "Dots for “{title}”") for r in rounds},
        ballot_values={str(r["id"]): {f"dots-{issue}": str(n) for issue, n in (r["your_ballot"] or {}).items()}
                       for r in rounds},
        may_vote=coproduce().allows(me, P.VOTE, hub_id), may_run=coproduce().allows(me, P.RUN_ROUND, hub_id),
        may_tally=coproduce().allows(me, P.RECORD_TALLY, hub_id)), status


@web.route("/hubs/<uuid:hub_id>/priorities")
def priorities(hub_id: UUID):
    return _page(hub_id)


@web.route("/rounds/<uuid:round_id>/ballot", methods=["POST"])
def cast_ballot(round_id: UUID):
    me = acting()
    round_ = coproduce().round_as_seen(round_id, me)
    try:
        coproduce().cast_ballot(round_id, _dots(round_, request.form, _dot_fields(round_, "Dots for “{title}”")), me)
    except FormInvalid as invalid:
        return _page(round_["hub_id"], invalid.errors, request.form, 422)
    except (NotFound, NotAllowed):
        raise
    except DomainError as refused:
        return _page(round_["hub_id"], {"form": refusal(refused)}, request.form, 422)
    flash("Your dots are placed. You can change them until the round closes.")
    return redirect(url_for("web.priorities", hub_id=round_["hub_id"]), code=303)


@web.route("/rounds/<uuid:round_id>/closing", methods=["POST"])
def close_round(round_id: UUID):
    me = acting()
    round_ = coproduce().round_as_seen(round_id, me)
    try:
        coproduce().close_round(round_id, me, expected_version=form_version())
    except (NotFound, NotAllowed):
        raise
    except DomainError as refused:
        return _page(round_["hub_id"], {"form": refusal(refused)}, None, 409)
    flash("The round is closed and counted.")
    return redirect(url_for("web.priorities", hub_id=round_["hub_id"]), code=303)


OPEN_ROUND = [
    Field("closes_on", "When does voting end?", "date", "Experts can vote until the end of this day."),
    Field("dots", "How many dots does each person have?", "number", f"Usually {DEFAULT_DOTS}. At most {MOST_DOTS}."),
]


@web.route("/hubs/<uuid:hub_id>/priorities/new", methods=["GET", "POST"])
def open_round(hub_id: UUID):
    hub = coproduce().readable_hub(hub_id, acting(), P.RUN_ROUND)

    def questions() -> list[Field]:
        in_frame = tuple((row.issue_id, row.title) for row in coproduce().board_issues(hub_id, acting())
                         if row.stage == "frame" and row.parked_reason is None)
        return [Field("issue_ids", "Which issues may the experts vote on?", "checkboxes", options=in_frame),
                *OPEN_ROUND]

    def act(data: dict[str, Any]) -> str:
        coproduce().open_round(hub_id, actor=acting(), **data)
        return url_for("web.priorities", hub_id=hub_id)

    return form_page(questions, s.RoundIn(), act, done="the round is open. The hub's experts can now vote", page=lambda: {
            "title": f"Open a priority round in {hub.name}", "submit": "Open the round",
            "back": url_for("web.priorities", hub_id=hub_id)})


@web.route("/rounds/<uuid:round_id>/tally", methods=["GET", "POST"])
def record_tally(round_id: UUID):
    me = acting()
    round_ = coproduce().round_as_seen(round_id, me)
    hub = coproduce().readable_hub(round_["hub_id"], me, P.RECORD_TALLY)
    sessions = tuple((sid, f"{session.place}, {session.held_on}") for sid, session in hub.sessions.items())
    tally = [Field("session_id", "At which session was the vote?", "select",
                   options=(("", "Choose a session"), *sessions)),
             Field("voters", "How many people voted?", "number"),
             *_dot_fields(round_, "Dots on “{title}”")]

    def act(data: dict[str, Any]) -> str:
        coproduce().record_tally(round_id, data["session_id"], _dots(round_, request.form, tally), data["voters"], me)
        return url_for("web.priorities", hub_id=round_["hub_id"])

    return form_page(lambda: tally, s.TallyHeadIn(), act, done="the paper vote is recorded", page=lambda: {
        "title": "Record a paper dot-vote", "submit": "Record the vote",
        "back": url_for("web.priorities", hub_id=round_["hub_id"])})
