"""The `Prefer` request header (RFC 7240): which preferences a client sent."""

from __future__ import annotations

from flask import request

MINIMAL = "return=minimal"


def preference(name: str) -> str | None:
    """The value the client gave preference `name` (the first one, if sent twice), "" if it
    gave none, None if it did not send it. Names are case-insensitive; parameters are ignored."""
    for header in request.headers.getlist("Prefer"):
        for item in header.split(","):
            token, _, value = item.split(";", 1)[0].partition("=")
            if token.strip().lower() == name:
                return value.strip().strip('"')
    return None


def prefers_minimal() -> bool:
    """The client asked for a short answer (`Prefer: return=minimal`)."""
    return (preference("return") or "").lower() == "minimal"
