"""The one blueprint every page is on, and how its errors are shown: as pages, never as traces."""

from __future__ import annotations

import logging

from typing import Callable

from flask import Blueprint, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import Forbidden, HTTPException, NotFound as werkzeug_not_found

from domain import Actor, DomainError, NotAllowed, NotFound, Role
from service.app.authorization import TABLE, Permission
from service.app.ports import StoreUnavailable
from service.http.faults import log_unavailable
from service.web.form_page import refusal

web = Blueprint("web", __name__, static_folder="static", static_url_path="/web-static")
log = logging.getLogger(__name__)

TITLES = {400: "That form could not be sent", 403: "You cannot do that here", 404: "Page not found",
          405: "Page not found", 413: "That was too long to send", 429: "Too many tries",
          503: "Our records cannot be reached just now"}


# Pages that are about no hub say who may use them when they refuse (endpoint -> the words), in place of
# "Your role does not let you do this in this hub."
REFUSED_HERE: dict[str, Callable[[], str]] = {}
ROLE_PLURALS = {Role.EXPERT: "experts", Role.FACILITATOR: "facilitators", Role.HUB_MANAGER: "hub managers",
                Role.ACTION_OWNER: "action owners", Role.AUDITOR: "auditors", Role.ADMIN: "admins"}


def who_may(permission: Permission) -> str:
    """The roles the authorization table lets do `permission`, in words: "auditors and admins"."""
    roles = [ROLE_PLURALS[role] for role in ROLE_PLURALS if role in TABLE[permission]]
    return " and ".join([", ".join(roles[:-1]), roles[-1]] if len(roles) > 1 else roles)


def acting() -> Actor:
    """The signed-in person, for the application to decide what they may do and see."""
    return g.account.as_actor()


def error_page(status: int, detail: str):
    return render_template("web/error.jinja", title=TITLES.get(status, "Something went wrong"),
                           detail=detail, status=status), status


@web.errorhandler(CSRFError)
def _csrf(error: CSRFError):
    return error_page(400, "The form had expired or did not come from this site. Go back, reload the page "
                           "and send it again.")


@web.errorhandler(HTTPException)
def page_for(error: HTTPException):
    status = error.code or 500
    detail = {403: "Your role does not let you do this in this hub.",
              404: "Check the address, or go back to your home page.",
              429: "There have been too many tries. Wait a minute and try again."}.get(status, error.description)
    return error_page(status, detail)


@web.errorhandler(NotAllowed)
def _not_allowed(error: NotAllowed):
    refused = REFUSED_HERE.get(request.endpoint or "")
    return error_page(403, refused()) if refused else page_for(Forbidden())


@web.errorhandler(NotFound)
def _not_found(error: NotFound):
    """One page for what does not exist and what is in a hub the person may not see."""
    return page_for(werkzeug_not_found())


@web.errorhandler(DomainError)
def _domain(error: DomainError):
    return error_page(409, refusal(error))


@web.errorhandler(Exception)
def _unexpected(error: Exception):
    if current_app.extensions["coproduce"].unreachable(error):
        log_unavailable(error)
        return error_page(503, str(error) if isinstance(error, StoreUnavailable) else (
            "We cannot reach our records just now. Wait a few seconds and try again."))
    log.exception("unexpected error on a page", exc_info=error)
    return error_page(500, "Something went wrong on our side. Check whether your change was recorded before "
                           "you try again.")
