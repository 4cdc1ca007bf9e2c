"""Settings, from COPRODUCE_* environment variables, with defaults that need no setting."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from typing import Any

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

    @classmethod
    def from_env(cls, overrides: dict[str, Any] | None = None) -> Config:
        """COPRODUCE_<NAME> variables, then `overrides` (keys are field names)."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = os.environ.get(f"COPRODUCE_{field.name.upper()}")
            if raw:
                values[field.name] = int(raw) if field.type == "int" else raw
        return replace(cls(**values), **(overrides or {}))
