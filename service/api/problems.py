"""Every error as application/problem+json (RFC 9457), with per-field messages for bad input."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, json
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException

from domain import DomainError, NotAllowed, NotFound, StageRefused, StaleVersion
from domain.text import NO_CONTROL_CHARACTERS, SOMETHING_TO_READ
from service.app.schemas import something_to_read
from service.app.ports import StoreUnavailable
from service.app.sign_ins import NotSignedIn
from service.api.views import ProblemOut
from service.http.faults import log_unavailable

PROBLEM_JSON = "application/problem+json"
UNREACHABLE = ("The database cannot be reached just now. Try again in a few seconds (a change sent again with "
               "the same Idempotency-Key is never recorded twice).")
log = logging.getLogger(__name__)


def problem(status: int, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail, **extra}
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


def domain_status(error: DomainError) -> int:
    """The HTTP status for a refusal from the domain or the application."""
    if isinstance(error, NotSignedIn):
        return 401
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, NotAllowed):
        return 403
    if isinstance(error, StaleVersion):
        return 412
    return 409  # a rule refused the command, or someone else changed the issue first


def http_problem(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if messages is not None:
        return problem(422, "The request has fields that are missing, unknown or not valid.",
                       errors=_by_field(messages))
    status = error.code or 500
    detail = data.get("message") or error.description or HTTPStatus(status).phrase
    if status == 429:
        detail = f"Too many requests (the limit is {error.description}); wait a little and try again."
    response = problem(status, detail)
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="coproduce"'
    return response


def _by_field(messages: Any) -> dict[str, Any]:
    """webargs files errors under their location ("json", "query"); callers want the fields."""
    if not isinstance(messages, dict):
        return {"body": messages}
    merged: dict[str, Any] = {}
    for location, errors in messages.items():
        merged.update(errors if isinstance(errors, dict) else {location: errors})
    return merged


def _domain_error(error: DomainError) -> Response:
    extra = {"missing": error.missing} if isinstance(error, StageRefused) else {}
    return problem(domain_status(error), str(error), **extra)


def unavailable(error: Exception) -> Response:
    """503 when the database is away, and whether anything was recorded if that is known (Retry-After:
    service/http/factory.py)."""
    log_unavailable(error)
    return problem(503, str(error) if isinstance(error, StoreUnavailable) else UNREACHABLE)


def _unexpected(error: Exception) -> Response:
    if current_app.extensions["coproduce"].unreachable(error):
        return unavailable(error)
    log.exception("unexpected error", exc_info=error)
    return problem(500, "Something went wrong on our side. Check whether your change was recorded "
                        "before you try again.")


def _plain_text(_converter: Any, field: Any, ret: dict[str, Any], **_: Any) -> dict[str, Any]:
    """The rules every text field keeps (domain/text.py), as a `pattern` in the OpenAPI document, for
    text sent in (a body or a query: schemas named …In or …Query) with no rule of its own (a
    pattern, a format such as uuid or date, or a list of values): no control characters, and for
    text that must be given, something to read. Answers carry no pattern: they may show text
    recorded before the rules."""
    sent_in = type(field.root).__name__.endswith(("In", "Query"))
    if not sent_in or ret.get("type") != "string" or {"pattern", "format", "enum"} & ret.keys():
        return {}
    given = something_to_read in getattr(field, "validators", ())
    return {"pattern": SOMETHING_TO_READ if given else NO_CONTROL_CHARACTERS}


class ProblemApi(Api):
    """flask-smorest's Api, documenting and answering errors as problem+json, its groups of routes
    (OpenAPI tags) named for people (service/api/blueprint.py: TAGS)."""

    ERROR_SCHEMA = ProblemOut

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        """flask-smorest's, with the blueprint's tag for people in the document's list of tags."""
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        blp.register_views_in_doc(self, self._app, self.spec, name=name, parameters=parameters)
        self.spec.tag({"name": getattr(blp, "tag", name), "description": getattr(blp, "tag_description",
                                                                                     blp.description)})

    def _init_spec(self, *args: Any, **kwargs: Any) -> None:
        super()._init_spec(*args, **kwargs)
        self.ma_plugin.converter.add_attribute_function(_plain_text)

    def _register_error_handlers(self) -> None:
        app: Flask = self._app
        app.register_error_handler(HTTPException, http_problem)
        app.register_error_handler(DomainError, _domain_error)
        app.register_error_handler(Exception, _unexpected)

    def _register_responses(self) -> None:
        for status in HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)
