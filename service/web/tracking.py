"""Following input by its tracking code, with no sign-in: the same "What happened to my input" page an
expert sees signed in, for that code's person only. Wrong codes are limited (service/http/ratelimit.py)."""

from __future__ import annotations

from uuid import UUID

from flask import abort, flash, redirect, render_template, request, url_for

from service.app import schemas as s
from service.app.newcomers import CodeNotFound
from service.web.blueprint import web
from service.web.form_page import form_page
from service.web.my_words import CORRECT
from service.web.signin import OPEN_PAGES, coproduce

TRACKING = ("web.track", "web.track_code", "web.track_confirm", "web.track_correct")
OPEN_PAGES.update(TRACKING)
NOT_FOUND = "We could not find that code"
NO_CODE = "Enter the code from your receipt"


@web.route("/track", methods=["GET", "POST"])
def track():
    if request.method == "GET":
        return render_template("web/track.jinja", errors={}, code="")
    code = request.form.get("code", "")[:60]
    if not code.strip():
        return render_template("web/track.jinja", errors={"code": NO_CODE}, code=""), 422
    return _tracked(code)


@web.get("/track/<code>")
def track_code(code: str):
    """The address a receipt's QR code opens."""
    return _tracked(code[:60])


INPUT = "/track/<code>/input/<uuid:issue_id>/<uuid:contribution_id>"


@web.post(INPUT + "/confirm")
def track_confirm(code: str, issue_id: UUID, contribution_id: UUID):
    """Is this what you said? Yes: from the code's page, for someone without an account."""
    try:
        coproduce().confirm_contribution(issue_id, contribution_id, coproduce().holder_acting(code[:60]))
    except CodeNotFound:
        return _not_found(code)
    flash("Thank you. You said the words written down for you are right.")
    return redirect(url_for("web.track_code", code=code), code=303)


@web.route(INPUT + "/correct", methods=["GET", "POST"])
def track_correct(code: str, issue_id: UUID, contribution_id: UUID):
    """Is this what you said? No: their own words, from the code's page."""
    try:
        holder = coproduce().holder_acting(code[:60])
    except CodeNotFound:
        return _not_found(code)
    if not coproduce().may_change_input(issue_id, contribution_id, holder):
        abort(403)  # someone else's input: refused on sight, as signed in (the application decides who may)

    def act(data: dict) -> str:
        coproduce().correct_contribution(issue_id, contribution_id, actor=holder, **data)
        return url_for("web.track_code", code=code)
    seen = coproduce().contribution_as_seen(issue_id, contribution_id, holder)
    return form_page(lambda: CORRECT, s.CorrectionIn(), act, done="your words are corrected",
                     page=lambda: {"title": "Correct my words", "submit": "Correct my words", "version": None,
                                   "recorded": seen["text"], "back": url_for("web.track_code", code=code)})


def _tracked(code: str):
    try:
        tracked = coproduce().tracked(code)
    except CodeNotFound:
        return _not_found(code)
    return render_template("web/tracked.jinja", found=tracked.page, tracked=tracked, tracking=True, code=code,
                           page=1, pages=1, first=1)


def _not_found(code: str):
    """One answer for a code that does not exist, was replaced or whose person was forgotten."""
    return render_template("web/track.jinja", errors={"code": f"{NOT_FOUND}. Check it and try again."},
                           code=code[:60], not_found=True), 404
