"""Following input by its tracking code, with no sign-in: the same "What happened to my input" page an
expert sees signed in, for that code's person only. Wrong codes are limited (service/http/ratelimit.py)."""

from __future__ import annotations

from flask import render_template, request

from service.app.newcomers import CodeNotFound
from service.web.blueprint import web
from service.web.signin import OPEN_PAGES, coproduce

TRACKING = ("web.track", "web.track_code")
OPEN_PAGES.update(TRACKING)
NOT_FOUND = "We could not find that code"


@web.route("/track", methods=["GET", "POST"])
def track():
    if request.method == "GET":
        return render_template("web/track.jinja", errors={}, code="")
    return _tracked(request.form.get("code", "")[:60])


@web.get("/track/<code>")
def track_code(code: str):
    """The address a receipt's QR code opens."""
    return _tracked(code[:60])


def _tracked(code: str):
    try:
        tracked = coproduce().tracked(code)
    except CodeNotFound:
        return render_template("web/track.jinja", errors={"code": f"{NOT_FOUND}. Check it and try again."},
                               code=code, not_found=True), 404
    return render_template("web/tracked.jinja", found=tracked.page, tracked=tracked, tracking=True,
                           page=1, pages=1, first=1)
