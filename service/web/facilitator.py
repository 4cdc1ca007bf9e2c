"""Facilitators: record a session, and the input said there on behalf of named experts, several at once."""

from __future__ import annotations

from uuid import UUID

from flask import flash, redirect, render_template, request, url_for
from marshmallow import Schema, fields, validate
from werkzeug.datastructures import MultiDict

from domain import Attribution, StaleVersion
from service.app import schemas as s
from service.app.authorization import Permission as P
from service.app.session_input import InputRefused, SaidAtSession
from service.web.blueprint import acting, web
from service.web.form_page import form_version
from service.web.forms import Field, FormInvalid, read
from service.web.signin import coproduce
from service.web.someone_new import NEW, NEW_OPTION, SOMEONE_NEW, receipts_page, someone_or_new
from service.web.wording import FORMATS, NAMING_THEM, YES_NO, count

MOST_ROWS = 20  # pieces of input one form may hold; the form starts with one and grows on asking
SENT_ALREADY = ("A session was recorded at this hub after this form was opened: perhaps this one, sent twice. "
                "Check the hub's sessions before sending it again; nothing of this form was recorded.")
SESSION = [
    Field("held_on", "Date of the session", "date"),
    Field("place", "Where was it held?"),
    Field("format", "What kind of session?", "radios", options=FORMATS),
    Field("experts_attended", "How many experts came?", "number"),
    Field("staff_attended", "How many staff came?", "number"),
]


class SaidIn(Schema):
    issue_id = fields.UUID(required=True)
    contributor_id = fields.String(required=True, validate=someone_or_new)
    text = s.text()
    may_quote = fields.Boolean(required=True)
    attribution = s.choice(Attribution)
    new_name = fields.String(load_default="", validate=validate.Length(max=60))
    keep_copy = fields.Boolean(load_default=False)


def row_questions(hub_id: UUID) -> list[Field]:
    issues = tuple((row.issue_id, row.title) for row in coproduce().board_issues(hub_id, acting())
                   if row.stage != "closed")
    experts = tuple((str(a.id), coproduce().display_name(a.id)) for a in coproduce().hub_experts(hub_id, acting()))
    return [Field("contributor_id", "Who said it?", "select", options=(("", "Choose an expert"), *experts, NEW_OPTION)),
            *SOMEONE_NEW,
            Field("issue_id", "About which issue?", "select", options=(("", "Choose an issue"), *issues)),
            Field("text", "What did they say?", "textarea"),
            Field("may_quote", "Did they agree it may be quoted?", "radios", options=YES_NO),
            Field("attribution", "How do they want to be named?", "radios", options=NAMING_THEM)]


def _row(form: MultiDict, number: int) -> MultiDict:
    prefix = f"row{number}-"
    return MultiDict([(key[len(prefix):], value) for key, value in form.items(multi=True) if key.startswith(prefix)])


def _rows_shown(form: MultiDict) -> int:
    """How many input blocks the form showed (one more when the facilitator asked for another)."""
    shown = form.get("rows", "1")
    shown = int(shown) if shown.isdigit() else 1
    return max(1, min(MOST_ROWS, shown + (1 if "more" in form else 0)))


def _read_rows(form: MultiDict, questions: list[Field]) -> list[tuple[int, dict]]:
    """The rows that were filled in, with their numbers; a row is blank until someone types what was said."""
    said, errors = [], {}
    for number in range(1, _rows_shown(form) + 1):
        row = _row(form, number)
        if not row.get("text", "").strip():
            continue
        try:
            said.append((number, read(SaidIn(), row, questions)))
        except FormInvalid as invalid:
            errors.update({f"row{number}-{name}": f"Input {number}: {message}"
                           for name, message in invalid.errors.items()})
    if errors:
        raise FormInvalid(errors)
    return said


@web.route("/hubs/<uuid:hub_id>/sessions/new", methods=["GET", "POST"])
def record_session(hub_id: UUID):
    actor = acting()
    hub = coproduce().readable_hub(hub_id, actor, P.RECORD_SESSION)
    questions = row_questions(hub_id)
    errors: dict[str, str] = {}
    if request.method == "POST" and "more" not in request.form:
        try:
            session, said = _read_both(questions)
        except FormInvalid as invalid:
            errors = invalid.errors
        else:
            try:
                recorded = coproduce().record_session_with_input(
                    hub_id, actor, form_version(), session, [_said(row) for _, row in said])
            except StaleVersion:
                return _session_form(hub_id, questions, {"form": SENT_ALREADY}, fresh=True)
            except InputRefused as refused:
                return _session_form(hub_id, questions, _row_refusals(refused, said, questions))
            flash(f"The session is recorded, with {count(len(said), 'piece', 'pieces')} of input.")
            next_step = url_for("web.keeping_posted_at_session", hub_id=hub_id, session_id=recorded.session_id)
            if recorded.codes:
                kept = [row["keep_copy"] for _, row in said if row["contributor_id"] == NEW]
                return receipts_page(hub, [{"code": code, "keep_copy": keep} for code, keep in zip(recorded.codes, kept)],
                                     next_step)
            return redirect(next_step, code=303)
    return _session_form(hub_id, questions, errors)


def _said(row: dict) -> SaidAtSession:
    who = row["contributor_id"]
    return SaidAtSession(row["issue_id"], None if who == NEW else UUID(who), row["text"], row["may_quote"],
                         row["attribution"], row["new_name"].strip())


def _row_refusals(refused: InputRefused, said: list[tuple[int, dict]], questions: list[Field]) -> dict[str, str]:
    """Each refused piece's reason beside its row's field, said the way the form asks it."""
    asked = {q.name: q.label for q in questions}
    return {f"row{said[place][0]}-{field}": f"Input {said[place][0]}: {asked[field]} {why}"
            for place, (field, why) in refused.refusals.items()}


def _session_form(hub_id: UUID, questions: list[Field], errors: dict[str, str], fresh: bool = False):
    """The session form, with what was sent kept. It carries the hub's version as the form was first shown
    (so that a form sent twice records once: SENT_ALREADY), or as it now stands (`fresh`, once told)."""
    hub = coproduce().readable_hub(hub_id, acting(), P.RECORD_SESSION)
    version = request.form.get("version", type=int)
    return render_template("web/session.jinja", hub=hub, version=hub.version if fresh or version is None else version,
                           session_questions=SESSION, row_questions=questions,
                           rows=_rows_shown(request.form), may_add=_rows_shown(request.form) < MOST_ROWS,
                           errors=errors, values=request.form), 422 if errors else 200


def _read_both(questions: list[Field]) -> tuple[dict, list[tuple[int, dict]]]:
    """Both parts are checked before anything is recorded, so a mistake records nothing."""
    errors: dict[str, str] = {}
    session: dict = {}
    said: list[tuple[int, dict]] = []
    try:
        session = read(s.SessionIn(), request.form, SESSION)
    except FormInvalid as invalid:
        errors.update(invalid.errors)
    try:
        said = _read_rows(request.form, questions)
    except FormInvalid as invalid:
        errors.update(invalid.errors)
    if errors:
        raise FormInvalid(errors)
    return session, said
