"""The Flask application factory: the JSON API and the web pages on one Coproduce application."""

from __future__ import annotations

import atexit
import io
import logging
from collections.abc import Callable
from functools import cache
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Flask, Response, render_template, request, send_file, url_for
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from service.api import accounts, hubs, issues, keeping_posted, reads, rounds
from service.api import ways_in  # noqa: F401  (adds its routes to the hubs and issues blueprints)
from service.api.access import signed_in
from service.api.problems import ProblemApi, http_problem, problem
from service.http.config import Config
from service.app.coproduce import Coproduce
from service.app.ports import RETRY_SECONDS
from service import web
from service.http import observability
from service.http.idempotency import Idempotency
from service.http.ratelimit import install_limits

API_BLUEPRINTS = (hubs.blp, issues.blp, accounts.blp, reads.blp, rounds.blp, keeping_posted.blp)
API_TITLE = "Coproduce API"
API_VERSION = "v1"  # the version in every path (/api/v1); ReDoc shows it beside the title
API_INTRODUCTION = """Everything Coproduce can do, as JSON: hubs, systemic issues from raised to closed, \
the input of experts by experience, actions, feedback and learning, and what happened to each.

**Getting a token.** Send your username and password to `POST /api/v1/tokens` \
(`Content-Type: application/json`):

    curl -X POST https://<your server>/api/v1/tokens -H 'Content-Type: application/json' \\
         -d '{"username": "sam", "password": "…", "label": "my script"}'

The answer's `token` is the secret, shown this once.

**Sending it.** Send the token on every other request as `Authorization: Bearer <token>`. \
List your tokens with `GET /api/v1/tokens` and revoke one with `DELETE /api/v1/tokens/{id}`.

Ids are given in full (UUIDs, as the API answers them): the short ids the command line shows \
are not accepted here. Every error is `application/problem+json` (RFC 9457). The OpenAPI \
document is at `/api/v1/openapi.json`."""
OPEN_ENDPOINTS = {"accounts.sign_in"}  # how a token is got; the description and docs are on another blueprint
# Ours, so that the answer is problem+json; serve.py sets gunicorn's own limits above these.
MAX_TARGET_BYTES = 8000  # path and query string (RFC 9110 asks servers to accept at least 8000 octets)
MAX_HEADER_BYTES = 8190  # one header line, name and value
MAX_HEADERS = 100
REDOC_BUNDLE = Path(web.__file__).parent / "node_modules" / "redoc" / "bundles" / "redoc.standalone.js"
# ReDoc's sidebar shows Redocly's logo from their CDN; ours shows an empty image instead, so the page
# asks nothing of another origin and the browser has no refusal to log.
REDOCLY_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
NO_LOGO = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"
log = logging.getLogger(__name__)


def create_app(settings: Config, coproduce: Coproduce, store_full: Callable[[], bool] = lambda: False) -> Flask:
    """The site and the API around one application (service/bootstrap.py wires them); `store_full()`:
    whether a write found the store's disk full a moment ago (/readyz then says not ready)."""
    app = Flask("coproduce")
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE=API_TITLE, API_VERSION=API_VERSION, OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1", OPENAPI_JSON_PATH="openapi.json",  # the docs page is ours: api_reference
        API_SPEC_OPTIONS={"info": {"description": API_INTRODUCTION}, "components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/tokens"}}},
            "security": [{"bearer": []}]},
    )
    app.before_request(refuse_oversized_request)
    app.after_request(say_what_is_allowed)
    app.after_request(say_when_to_try_again)  # before the limiter's: Flask runs these last to first
    app.extensions["coproduce"] = coproduce
    coproduce.answer_first()  # commands answered once recorded; the read models follow just after
    atexit.register(coproduce.close)
    app.before_request(coproduce.clear_just_saved)
    app.before_request(coproduce.begin_answer)
    app.teardown_request(coproduce.end_answer)
    api = ProblemApi(app)
    for blueprint in API_BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(api_reference)
    observability.install(app, settings.ready_max_lag, store_full)
    web.install(app, coproduce)
    for status in (404, 405):
        app.register_error_handler(status, outside_any_route)
    limiter = install_limits(app, settings.rate_limit, settings.sign_in_limit, settings.rate_limit_storage)
    for exempt in (observability.health, web.assets, api_reference):  # never rate limited
        limiter.exempt(exempt)
    app.before_request(require_token)  # after the limiter: guessing tokens counts too
    Idempotency(coproduce.engine, coproduce.unreachable).init_app(app)  # after the limiter: a replay counts as a request
    return app


NO_SUCH_ADDRESS = ("No API address matches {path}. Check the path against the reference at /api/v1/docs; ids must "
                   "be given in full, as the API answers them (such as 3f2b8c1e-5d4a-4b6e-9c7d-2a1f0e8b6d53): "
                   "the short ids the command line shows are not accepted here.")


def outside_any_route(error: HTTPException) -> Response:
    """An address no route answers (404, 405): problem+json under /api/, a page for people elsewhere. A
    404 from routing (no such path, or an id that is not a full UUID) says so, instead of Flask's words
    for a browser; a 404 from a route (no such issue) keeps its own."""
    if not request.path.startswith("/api/"):
        return web.page_for(error)
    if error.code == 404 and request.routing_exception is error:
        return problem(404, NO_SUCH_ADDRESS.format(path=quote(request.path)))
    return http_problem(error)


def require_token() -> None:
    """Who is asking comes before what they sent: an API request without a valid token is a 401,
    whatever its body or query, except for getting a token."""
    api_names = {blueprint.name for blueprint in API_BLUEPRINTS}
    if request.blueprint in api_names and request.endpoint not in OPEN_ENDPOINTS and request.method != "OPTIONS":
        signed_in()


def refuse_oversized_request() -> Response | None:
    """414 and 431 as problem+json, below the limits at which gunicorn answers with its own HTML page."""
    target = request.environ.get("RAW_URI") or quote(request.environ.get("PATH_INFO", "").encode("latin-1")) + (
        "?" + request.query_string.decode("latin-1") if request.query_string else "")
    if len(target) > MAX_TARGET_BYTES:
        return problem(414, f"The address is {len(target)} bytes long; at most {MAX_TARGET_BYTES} are accepted.")
    headers = list(request.headers.items())
    if len(headers) > MAX_HEADERS:
        return problem(431, f"The request has {len(headers)} headers; at most {MAX_HEADERS} are accepted.")
    for name, value in headers:
        if len(name) + 2 + len(value) > MAX_HEADER_BYTES:
            return problem(431, f"The {name} header is too long; at most {MAX_HEADER_BYTES} bytes are accepted.")
    return None


def say_what_is_allowed(response: Response) -> Response:
    """Every 405, page or problem+json, names the methods the address does allow (RFC 9110 §15.5.6)."""
    refused = request.routing_exception
    if response.status_code == 405 and isinstance(refused, MethodNotAllowed) and refused.valid_methods:
        response.headers.setdefault("Allow", ", ".join(sorted(refused.valid_methods)))
    return response


def say_when_to_try_again(response: Response) -> Response:
    """The rate limiter sets Retry-After on every answer, to when its window ends; a 503 (the
    database is away) says when the database is worth trying again."""
    if response.status_code == 503:
        response.headers["Retry-After"] = str(RETRY_SECONDS)
    return response


api_reference = Blueprint("api_reference", __name__, url_prefix="/api/v1/docs")


@api_reference.get("")
def docs_page() -> str:
    """The API reference (ReDoc), with its script served from here: nothing loads from another origin."""
    if not REDOC_BUNDLE.is_file():
        log.warning("ReDoc is missing (run `npm ci` in service/web): the API reference page cannot render")
    return render_template("web/api_docs.jinja", spec_url=url_for("api-docs.openapi_json"),
                           bundle_url=url_for("api_reference.redoc_bundle"))


@api_reference.get("/redoc.standalone.js")
def redoc_bundle() -> Response:
    """ReDoc's standalone bundle, from the npm package installed in service/web."""
    if not REDOC_BUNDLE.is_file():
        return problem(404, "ReDoc is not installed on this server (npm ci in service/web).")
    return send_file(io.BytesIO(_offline_bundle()), mimetype="text/javascript", max_age=86400)


@cache
def _offline_bundle() -> bytes:
    return REDOC_BUNDLE.read_bytes().replace(REDOCLY_LOGO, NO_LOGO)
