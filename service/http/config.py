"""The HTTP server's settings, with defaults that need no setting (read by service/bootstrap.py)."""

from __future__ import annotations

from dataclasses import dataclass

from service.infra.store import DEFAULT_URL


@dataclass(frozen=True)
class Config:
    database_url: str = DEFAULT_URL
    max_body_bytes: int = 64 * 1024
    rate_limit: str = "600 per minute"
    sign_in_limit: str = "10 per minute"
    rate_limit_storage: str = "memory://"
    ready_max_lag: int = 1000
    token_idle_days: int = 30  # an API token unused for this many days stops working
