"""How a request that found the store unusable (away, its disk full, this role's privileges taken
away) is logged, the same for the API and the pages: one line, never a trace."""

from __future__ import annotations

import logging

log = logging.getLogger("coproduce.store")
MOST = 200  # characters of the driver's message in the line


def log_unavailable(error: BaseException) -> None:
    """One warning line: the error's kind and the first line of the driver's own words (such as
    "database or disk is full", "permission denied for table credentials"), never a person's data."""
    cause = innermost(error)
    words = (str(cause).strip().splitlines() or [""])[0][:MOST]
    log.warning("the store cannot be used just now (%s): %s", type(cause).__name__, words)


def innermost(error: BaseException) -> BaseException:
    """The driver's own error under the wrappers (SQLAlchemy's, the event store's, the application's
    StoreUnavailable raised while handling it)."""
    seen = {id(error)}
    while True:
        inner = getattr(error, "orig", None) or error.__cause__ or error.__context__
        if not isinstance(inner, BaseException) or id(inner) in seen:
            return error
        seen.add(id(inner))
        error = inner
