"""Signing in and out with the API's accounts; the session cookie holds a revocable web session
(a credential of its own kind: it is no API token, and ends after 8 hours)."""

from __future__ import annotations

import re
from uuid import UUID

from flask import current_app, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from service.app.sign_ins import NotSignedIn
from service.app.coproduce import Coproduce
from service.web.blueprint import web

OPEN_PAGES = {"web.sign_in"}
# A path on this site, and nothing else: "/" then path characters, an optional query, no
# scheme, host, backslash, quote, angle bracket, space, CR, LF or other control character.
LOCAL_PATH = re.compile(r"/(?![/\\])[\w\-.~!$&*+,;=:@%/]*(?:\?[\w\-.~!$&*+,;=:@%/?]*)?", re.ASCII)


def coproduce() -> Coproduce:
    return current_app.extensions["coproduce"]


@web.before_request
def _signed_in_and_same_site():
    if request.endpoint == "web.static":
        return None  # stylesheets and scripts need no account: no store look-up for them
    if request.method == "POST":
        try:
            validate_csrf(request.form.get("csrf_token"))
        except ValidationError as refused:
            raise CSRFError(refused.args[0]) from None
    secret = session.get("web_session")
    g.account = coproduce().account_for_web_session(secret) if secret else None
    if g.account is None and request.endpoint not in OPEN_PAGES:
        return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))
    return None


def _local(target: str | None) -> str:
    """Only plain paths on this site are followed after signing in (no open redirects, nothing
    that could break out of the page's hidden field or a Location header); else the home page."""
    if target and len(target) <= 2000 and LOCAL_PATH.fullmatch(target):
        return target
    return url_for("web.home")


@web.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    next_page = _local(request.values.get("next"))
    if request.method == "GET":
        return render_template("web/sign_in.jinja", next=next_page, errors={}, username="")
    username = request.form.get("username", "").strip()
    errors = {}
    if not username:
        errors["username"] = "Enter your username"
    if not request.form.get("password"):
        errors["password"] = "Enter your password"
    if not errors:
        try:
            _, session_id, secret = coproduce().open_web_session(username, request.form["password"])
        except NotSignedIn:
            errors["password"] = "The username or password is not right"
        else:
            session.clear()
            session.permanent = True
            session.update(web_session=secret, web_session_id=str(session_id))
            generate_csrf()  # the forms' token for the whole sign-in, in the cookie from its first answer on
            return redirect(next_page, code=303)
    return render_template("web/sign_in.jinja", next=next_page, errors=errors, username=username), 401


@web.route("/sign-out", methods=["GET", "POST"])
def sign_out():
    if request.method == "GET":
        return render_template("web/sign_out.jinja")
    coproduce().revoke_token(g.account.as_actor(), UUID(session["web_session_id"]))
    session.clear()
    return redirect(url_for("web.sign_in"), code=303)
