"""Request rate limits: per account for requests with a live API token, per address for every
other (no token, or a made-up, revoked or expired one); failed sign-ins per address and per
username tried, on the API and the web form alike."""

from __future__ import annotations

import time

from flask import Flask, current_app, g, request
from flask.wrappers import Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage

from service.web.tracking import TRACKING  # tracking codes typed in or opened from a receipt

RECEIPT = "web.receipt_pdf"  # a receipt printed again from its code, by someone signed in: a wrong code counts too


SIGN_IN = "accounts.sign_in"
WEB_SIGN_IN = "web.sign_in"
MEMORY = "memory://"
WRONG_CODES = "20 per minute"  # wrong tracking codes from one address
WRONG_CODES_IN_ALL = "300 per minute"  # wrong tracking codes from every address together


class SteadyMemoryStorage(MemoryStorage):
    """The `memory://` storage, sweeping out expired counts at most once a second. limits'
    own starts a new 10 ms timer thread for almost every request when requests come more
    than 10 ms apart, and a request waits for that thread to start: milliseconds on a busy
    machine. Counts whose window is over are still ignored at once: `get` drops them."""

    STORAGE_SCHEME = ["steady-memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, **options):
        super().__init__(uri, **options)
        self._next_sweep = time.monotonic() + self.SWEEP_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:  # limits' private hook, pinned with the library
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + self.SWEEP_SECONDS
            super()._MemoryStorage__schedule_expiry()


def _caller() -> str:
    """The account of a live API token, else the address: guessing tokens earns no bucket of its own."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() == "bearer" and secret:
        if "bearer_holder" not in g:  # looked up once a request, whatever the number of limits
            g.bearer_holder = current_app.extensions["coproduce"].credentials.token_holder(secret)
        holder = g.bearer_holder  # None for a token that is not live
        if holder is not None:
            return f"account:{holder.account_id.hex}"
    return get_remote_address()


def install_limits(app: Flask, default: str, sign_in: str, storage: str) -> Limiter:
    """A limiter for this app: `default` on every route, `sign_in` also on signing in (API and web)."""
    limiter = Limiter(key_func=_caller, app=app, default_limits=[default], headers_enabled=True,
                      storage_uri="steady-memory://" if storage == MEMORY else storage)
    # Only failed sign-ins count (a hub's shared computer signs many people in one after another),
    # per address and per username tried, in buckets shared by the API and the web form, so that
    # guesses spread over both doors, or over many addresses, are still limited.
    for endpoint in (SIGN_IN, WEB_SIGN_IN):
        view = app.view_functions[endpoint]
        for scope, key in (("sign-in-address", get_remote_address), ("sign-in-username", _username_tried)):
            view = limiter.shared_limit(sign_in, scope, key_func=key, methods=["POST"], deduct_when=_refused)(view)
        app.view_functions[endpoint] = view
    # Only wrong codes count (a hub's shared computer looks up many people's codes), per address and in
    # all, so that guesses spread over many addresses are still few against codes of 73 bits.
    for endpoint in (*TRACKING, RECEIPT):
        view = app.view_functions[endpoint]
        for limit, scope, key in ((WRONG_CODES, "wrong-code-address", get_remote_address),
                                  (WRONG_CODES_IN_ALL, "wrong-code-anyone", _anyone)):
            view = limiter.shared_limit(limit, scope, key_func=key, deduct_when=_not_found)(view)
        app.view_functions[endpoint] = view
    return limiter


def _not_found(response: Response) -> bool:
    return response.status_code == 404


def _anyone() -> str:
    return "anyone"


def _refused(response: Response) -> bool:
    return response.status_code == 401


def _username_tried() -> str:
    """The username a sign-in tries, from the web form or the API's JSON body."""
    request.get_data(cache=True)  # kept for the API's own parser: reading the form alone would use the body up
    body = request.get_json(silent=True) if request.is_json else request.form
    username = body.get("username") if isinstance(body, dict) or hasattr(body, "getlist") else None
    return "username:" + (username.strip().lower() if isinstance(username, str) else "")
