"""Request rate limits, per API token (or per address before signing in)."""

from __future__ import annotations

import hashlib

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


SIGN_IN = "accounts.sign_in"
WEB_SIGN_IN = "web.sign_in"


def _caller() -> str:
    auth = request.headers.get("Authorization")
    return hashlib.sha256(auth.encode()).hexdigest() if auth else get_remote_address()


def install_limits(app: Flask, default: str, sign_in: str, storage: str) -> Limiter:
    """A limiter for this app: `default` on every route, `sign_in` also on signing in (API and web)."""
    limiter = Limiter(key_func=_caller, app=app, default_limits=[default], storage_uri=storage,
                      headers_enabled=True)
    app.view_functions[SIGN_IN] = limiter.limit(sign_in, key_func=get_remote_address)(app.view_functions[SIGN_IN])
    # On the web form only failed tries count, both per address and per username tried.
    failed = {"methods": ["POST"], "deduct_when": lambda response: response.status_code == 401}
    page = limiter.limit(sign_in, key_func=get_remote_address, **failed)(app.view_functions[WEB_SIGN_IN])
    app.view_functions[WEB_SIGN_IN] = limiter.limit(sign_in, key_func=_username_tried, **failed)(page)
    return limiter


def _username_tried() -> str:
    return "username:" + request.form.get("username", "").strip().lower()
