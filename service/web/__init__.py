"""The web pages: server-rendered HTML for experts, facilitators, managers, owners and auditors."""

from __future__ import annotations

import logging
import re
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, Response, abort
from flask_wtf.csrf import generate_csrf
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader, select_autoescape

from domain.priorities import ordinal
from service.app.coproduce import Coproduce
from service.web import security, wording
from service.web.blueprint import page_for, web  # noqa: F401  (page_for: for addresses no route answers)
from service.web.signin import OPEN_PAGES
from service.web import admin, auditor, expert, facilitator, issue_pages, owner, signin  # noqa: F401  (routes)
from service.web import public_pages, someone_new, tracking  # noqa: F401  (routes open to the public)
from service.web import keeping_posted, my_data, my_words, priorities  # noqa: F401  (routes)

HERE = Path(__file__).parent
NHSUK_DIST = HERE / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"
log = logging.getLogger(__name__)
AUTOESCAPE = select_autoescape(("jinja", "html", "htm", "xml", "xhtml", "svg"), default_for_string=True,
                               default=True)

assets = Blueprint("assets", __name__, static_folder=str(NHSUK_DIST), static_url_path="/assets")


@assets.get("/assets/nhsuk-frontend-system-fonts.min.css")
def stylesheet() -> Response:
    """NHS.UK frontend's stylesheet without its web font, which is licensed to NHS sites and served from
    their CDN (our policy, font-src 'self', refuses it): pages show its fallback, the system's Arial."""
    if not (NHSUK_DIST / "nhsuk-frontend.min.css").is_file():
        abort(404)  # NHS.UK frontend is not installed: install() has said so
    return Response(_stylesheet(), mimetype="text/css", headers={"Cache-Control": "public, max-age=86400"})


@cache
def _stylesheet() -> str:
    return re.sub(r"@font-face\{[^}]*\}", "", (NHSUK_DIST / "nhsuk-frontend.min.css").read_text())


@assets.get("/favicon.ico")
def favicon() -> Response:
    """Where browsers look for an icon on pages that name none (the API reference, a JSON answer)."""
    return assets.send_static_file("assets/images/favicon.ico")


def session_secret(coproduce: Coproduce) -> bytes:
    """The session cookie key, derived from the signing key so that every server sharing
    the store and its signing key accepts the same sign-ins."""
    return coproduce.audit.derived_key(b"coproduce web session cookies")


def install(app: Flask, coproduce: Coproduce) -> None:
    """Add the web pages, their assets, session cookies and security headers to `app`."""
    if not NHSUK_DIST.is_dir():
        log.warning("NHS.UK frontend assets are missing (run `npm ci` in service/web): pages will be unstyled")
    app.secret_key = session_secret(coproduce)
    # The cookie is sent again only when what it holds changes: sent again with every answer (Flask's
    # default for a lasting session), a late answer to a request made before (a stylesheet, an icon)
    # put back what the cookie held then, over a form's CSRF token or a "Done" message set since.
    app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_NAME="coproduce_session", PERMANENT_SESSION_LIFETIME=8 * 3600,
                      SESSION_REFRESH_EACH_REQUEST=False, WTF_CSRF_TIME_LIMIT=8 * 3600)
    # Our templates and NHS.UK's are named .jinja, which Flask would not autoescape: every one is escaped,
    # so words people type are shown as text, never read as markup.
    app.jinja_options = {**app.jinja_options, "undefined": ChainableUndefined, "autoescape": AUTOESCAPE,
                         "finalize": wording.shown,
                         "loader": ChoiceLoader([FileSystemLoader(HERE / "templates"),
                                                 PackageLoader("nhsuk_frontend_jinja")])}
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.jinja_env.globals["kind_words"] = wording.KIND_WORDS
    app.jinja_env.globals["your_kind_words"] = wording.YOUR_KIND_WORDS
    app.jinja_env.filters["error_link"] = lambda item: {"text": item[1], "href": f"#{item[0]}"}
    app.jinja_env.filters["level_explained"] = wording.level_explained
    app.jinja_env.filters["long_date"] = wording.long_date
    app.jinja_env.filters["stage_named"] = wording.stage_named
    app.jinja_env.filters["level_said"] = wording.level_said
    app.jinja_env.filters["action_status"] = wording.action_status
    app.jinja_env.filters["ordinal"] = ordinal
    app.jinja_env.filters["count"] = wording.count
    app.context_processor(lambda: {"names": coproduce.display_name, "open_pages": OPEN_PAGES})
    app.register_blueprint(web)
    app.register_blueprint(assets)
    security.install(app)
