"""Shared pieces of the command line: the application context, short ids, refusals."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn
from uuid import UUID

import click
from eventsourcing.persistence import PersistenceError
from marshmallow import Schema, ValidationError
from sqlalchemy.exc import DBAPIError

from domain import DomainError, StageRefused
from domain.text import pictured
from service.app.coproduce import Coproduce
from service.app.ports import StoreUnavailable
from service.bootstrap import Settings, StoreConfigError, checked_settings, open_application
from service.http.faults import innermost
from service.infra.store import AWAY, FULL, REFUSED, store_fault


def say(message: Any = "", **options: Any) -> None:
    """`click.echo`, with control characters shown as pictures: text recorded before they were
    refused (domain/text.py) must not drive the terminal that shows it."""
    click.echo(pictured(str(message)), **options)


class Context:
    """Opens the application once per command and resolves short ids."""

    def __init__(self) -> None:
        self._app: Coproduce | None = None
        self.manage_schema = False  # True: create missing tables whatever COPRODUCE_MANAGE_SCHEMA says
        self.makes_store = False  # True: a command that may make a new embedded store (init, upgrade, demo)

    @property
    def app(self) -> Coproduce:
        if self._app is None:
            settings = Settings.from_env()
            if self.manage_schema:
                settings = replace(settings, manage_schema=True)
            if not (self.makes_store or self.manage_schema):
                require_store(settings)
            self._app = opened(lambda: open_application(settings=settings))
        return self._app

    def issue_id(self, text: str) -> UUID:
        return _resolve(text, dict.fromkeys(self.app.known_ids()[1]), "issue")

    def hub_id(self, text: str) -> UUID:
        hubs = self.app.known_ids()[0]
        by_name = [key for key, name in hubs.items() if name.casefold() == text.casefold()]
        return UUID(by_name[0]) if by_name else _resolve(text, hubs, "hub")

    def account_id(self, username: str) -> UUID:
        return self.app.account_by_username(username).id


def require_store(settings: Settings | None = None) -> Settings:
    """The settings, unless they name an embedded store whose file is not there: most likely a
    mistyped path, where opening would make an empty store (and its keys), and a check such as
    `audit verify` would pass on it."""
    settings = settings or Settings.from_env()
    store = settings.store()
    path = store.url.database if store.is_sqlite else None
    if path and path != ":memory:" and not Path(path).exists():
        raise click.ClickException(f"there is no store at {path}: check COPRODUCE_DATABASE_URL, or make one with "
                                   "`coproduce init`. Nothing was done")
    return settings


def opened(open_app: Callable[[], Coproduce]) -> Coproduce:
    """The application, or one line saying why it could not be opened: the database away, its disk full,
    privileges taken away, or a store whose tables this process may not make."""
    try:
        return open_app()
    except (DBAPIError, PersistenceError) as error:
        if fault_of(error):
            raise click.ClickException(unusable(error, "Nothing was done")) from None
        raise click.ClickException(
            f"cannot open the store ({type(error).__name__}); if it is new and this process may not "
            "create tables (COPRODUCE_MANAGE_SCHEMA=no), run `coproduce init` first") from None


def _resolve(text: str, known: dict[str, Any], what: str) -> UUID:
    """A full id, or the unique id that starts with `text`."""
    matches = [key for key in known if key.startswith(text.lower()) or key.replace("-", "").startswith(text.lower())]
    if len(matches) != 1:
        problem = "no" if not matches else "more than one"
        raise click.UsageError(f"{problem} {what} id starts with {text!r}")
    return UUID(matches[0])


def resolve_in(ids: list[str], text: str, what: str) -> UUID:
    """A contribution or action id within one issue, by a unique prefix."""
    return _resolve(text, dict.fromkeys(ids), what)


def loaded(schema: Schema, values: dict[str, Any]) -> dict[str, Any]:
    """`values` loaded by the schema the API and the pages use for the same change, so the command line
    decides by the same rules; refused as a usage error naming the option (or the field) and the rule."""
    try:
        return schema.load(values)
    except ValidationError as invalid:
        options = {param.name: param.opts[0] for param in click.get_current_context().command.params
                   if isinstance(param, click.Option)}
        raise click.UsageError("; ".join(f"{options.get(name, name)}: {_said(messages)}"
                                         for name, messages in invalid.normalized_messages().items())) from None


def _said(messages: Any) -> str:
    """A field's messages in a line; a list's items by their place (as in `--dots`)."""
    if isinstance(messages, dict):
        return "; ".join(f"{key}: {_said(inner)}" for key, inner in messages.items())
    return " ".join(map(str, messages)) if isinstance(messages, list) else str(messages)


STORE_FAULTS = {  # what the operator is told when the store cannot be used just now (service/infra/store.py)
    AWAY: "cannot reach the database ({words}): is it running, and is COPRODUCE_DATABASE_URL right?",
    FULL: "the store's disk is full ({words}): free some space, then run the command again.",
    REFUSED: "the database refused this role ({words}): give it back its privileges on the store's tables.",
}


def fault_of(error: BaseException) -> str | None:
    """What is wrong with the store, if `error` says it cannot be used just now (service/infra/store.py),
    under whatever wraps the driver's error (the application's StoreUnavailable among them)."""
    found = store_fault(error) or store_fault(innermost(error))
    return found or (AWAY if isinstance(error, StoreUnavailable) else None)


def unusable(error: BaseException, outcome: str = "What was not finished was not recorded") -> str:
    """One line on a store that cannot be used just now: away, its disk full, or privileges taken away."""
    cause = innermost(error)
    words = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    return STORE_FAULTS[fault_of(error) or AWAY].format(words=words) + f" {outcome}."


def refused(message: Any) -> NoReturn:
    """One line on standard error, "Refused: …", and exit status 1: never a traceback."""
    say(f"Refused: {message}", err=True)
    sys.exit(1)


def settings_checked() -> Settings:
    """Every COPRODUCE_* setting checked once, before a command opens anything (service/bootstrap.py)."""
    try:
        return checked_settings()
    except StoreConfigError as error:
        refused(error)


def refusals(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain refusals, settings that cannot be used and a store that cannot be used just now into
    a plain message and exit status 1, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StageRefused as stage:
            say(f"Refused: the issue cannot move from {stage.from_stage} to {stage.to_stage}.", err=True)
            say("Still missing:", err=True)
            for item in stage.missing:
                say(f"  - {item}", err=True)
            sys.exit(1)
        except (DomainError, StoreConfigError) as error:
            refused(error)
        except click.ClickException:
            raise  # already one line (click prints it)
        except Exception as error:
            if not fault_of(error):
                raise
            refused(unusable(error))

    return wrapper


pass_context = click.make_pass_decorator(Context, ensure=True)


def as_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """The `--as USERNAME` option naming who does a change (or COPRODUCE_AS)."""
    return click.option("--as", "as_user", envvar="COPRODUCE_AS", required=True,
                        help="Username of the person doing this (or set COPRODUCE_AS).")(func)
