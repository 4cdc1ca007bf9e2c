"""Request rate limits, per API token (or per address before signing in)."""

from __future__ import annotations

import hashlib
import time

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage import MemoryStorage


SIGN_IN = "accounts.sign_in"
WEB_SIGN_IN = "web.sign_in"
MEMORY = "memory://"


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
    auth = request.headers.get("Authorization")
    return hashlib.sha256(auth.encode()).hexdigest() if auth else get_remote_address()


def install_limits(app: Flask, default: str, sign_in: str, storage: str) -> Limiter:
    """A limiter for this app: `default` on every route, `sign_in` also on signing in (API and web)."""
    limiter = Limiter(key_func=_caller, app=app, default_limits=[default], headers_enabled=True,
                      storage_uri="steady-memory://" if storage == MEMORY else storage)
    app.view_functions[SIGN_IN] = limiter.limit(sign_in, key_func=get_remote_address)(app.view_functions[SIGN_IN])
    # On the web form only failed tries count, both per address and per username tried.
    failed = {"methods": ["POST"], "deduct_when": lambda response: response.status_code == 401}
    page = limiter.limit(sign_in, key_func=get_remote_address, **failed)(app.view_functions[WEB_SIGN_IN])
    app.view_functions[WEB_SIGN_IN] = limiter.limit(sign_in, key_func=_username_tried, **failed)(page)
    return limiter


def _username_tried() -> str:
    return "username:" + request.form.get("username", "").strip().lower()
