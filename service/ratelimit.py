"""Request rate limits, per API token (or per address before signing in)."""

from __future__ import annotations

import hashlib

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


def _caller() -> str:
    auth = request.headers.get("Authorization")
    return hashlib.sha256(auth.encode()).hexdigest() if auth else get_remote_address()


limiter = Limiter(key_func=_caller, headers_enabled=True)
