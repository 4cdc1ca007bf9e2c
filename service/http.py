"""The Flask application factory: the JSON API and the web pages on one Coproduce application."""

from __future__ import annotations

import atexit
from typing import Any

from flask import Flask

from service.api import accounts, hubs, issues, reads
from service.api.problems import ProblemApi
from service.config import Config
from service.coproduce import Coproduce
from service import observability, web
from service.idempotency import Idempotency
from service.ratelimit import install_limits
from service.store import Store


def create_app(config: dict[str, Any] | Config | None = None) -> Flask:
    """Build the web application; `config` overrides COPRODUCE_* settings (field names as keys)."""
    settings = config if isinstance(config, Config) else Config.from_env(config)
    app = Flask("coproduce")
    app.config.update(
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        API_TITLE="Coproduce", API_VERSION="1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1", OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_REDOC_PATH="docs", OPENAPI_REDOC_URL="https://cdn.jsdelivr.net/npm/redoc@2/bundles/redoc.standalone.js",
        API_SPEC_OPTIONS={"components": {"securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "A token from POST /api/v1/tokens"}}},
            "security": [{"bearer": []}]},
    )
    coproduce = Coproduce(Store.parse(settings.database_url))
    app.extensions["coproduce"] = coproduce
    atexit.register(coproduce.close)
    app.before_request(coproduce.clear_just_saved)
    api = ProblemApi(app)
    for blueprint in (hubs.blp, issues.blp, accounts.blp, reads.blp):
        api.register_blueprint(blueprint)
    observability.install(app, settings.ready_max_lag)
    web.install(app, coproduce)
    limiter = install_limits(app, settings.rate_limit, settings.sign_in_limit, settings.rate_limit_storage)
    for exempt in (observability.health, web.assets):  # probes, scrapes and stylesheets are never rate limited
        limiter.exempt(exempt)
    Idempotency(coproduce.engine).init_app(app)  # after the limiter: a replay counts as a request
    return app
