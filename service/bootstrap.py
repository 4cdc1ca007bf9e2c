"""The composition root: the one place that reads the settings (COPRODUCE_* variables) and wires
the application to its adapters, and the HTTP server to the application."""

from __future__ import annotations

import math
import os
import tempfile
from datetime import timedelta
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask
from limits import parse_many
from limits.storage import SCHEMES
from sqlalchemy import URL, create_engine
from sqlalchemy.pool import StaticPool

from service.app.coproduce import Coproduce
from service.app.ports import Channel, Wiring
from service.http import factory
from service.http.config import Config
from service.http.idempotency import scrub_older_answers
from service.infra import idempotency_store
from service.infra.audit import Audit, History
from service.infra.credentials import Credentials
from service.infra.failing_fast import CONNECT_SECONDS
from service.infra.custody import Custody
from service.infra.keyring import KeyCustodyError, KeySource, new_entry
from service.infra.keystore import KeyStore
from service.infra import outbox as outbox_table
from service.infra.outbox import Outbox
from service.infra.schema import Upgraded, require_current, schema_turn, upgrade
from service.infra.sealing import Sealer
from service.infra.notify_channel import NotifyChannel
from service.infra.smtp_channel import SmtpChannel, SmtpConfigError
from service.infra.snapshots import SnapshotTranscoder
from service.infra.store import DEFAULT_URL, FAULTS, Store, StoreConfigError, create_tables, unreachable
from service.infra.transcodings import register_domain_records
from service.infra.writes import NoTurns, WriteTurns


NOTIFY_WAYS = ("text", "email", "letter")


@dataclass(frozen=True)
class Settings:
    """What the application is opened with (the HTTP server's own settings are `Config`)."""

    database_url: str = DEFAULT_URL
    manage_schema: bool = True  # COPRODUCE_MANAGE_SCHEMA=no: never change the schema (`coproduce upgrade` does)
    projections: str = ""  # inline | worker; none given: inline on SQLite, a worker on PostgreSQL
    signing_key: str = ""  # none given: signing-key.pem beside the SQLite file, var/ for PostgreSQL
    key_file: str = ""  # the key-encryption keys; none given: key-encryption.keys beside the signing key
    key: str = ""  # the key-encryption keys themselves, for containers (instead of a file)
    checkpoint_seconds: float = 3600
    smtp_url: str = ""  # COPRODUCE_SMTP_URL: email by this mail server; none: email waits
    mail_from: str = ""  # COPRODUCE_MAIL_FROM: the address messages come from
    site_url: str = ""  # COPRODUCE_SITE_URL: the site's address, for links in messages
    notifications: str = ""  # inline | worker; none given: inline on SQLite, a worker on PostgreSQL
    notify_api_key: str = ""  # COPRODUCE_NOTIFY_API_KEY: text, email and letters through GOV.UK Notify
    notify_url: str = ""  # COPRODUCE_NOTIFY_URL: Notify's API (its official address when none is given)
    notify_templates: tuple[tuple[str, str], ...] = ()  # (way, template id): COPRODUCE_NOTIFY_<WAY>_TEMPLATE
    retry_seconds: float = 30  # COPRODUCE_RETRY_SECONDS: the wait after a message's first failed try, doubling

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings the variables give; one that does not hold what it must is refused (`SettingRefused`)."""
        environ = os.environ if environ is None else environ
        text = _Reader(environ)
        return cls(database_url=environ.get("COPRODUCE_DATABASE_URL") or DEFAULT_URL,
                   manage_schema=text.choice("COPRODUCE_MANAGE_SCHEMA", YES_NO, "yes") == "yes",
                   projections=text.choice("COPRODUCE_PROJECTIONS", MODES),
                   signing_key=environ.get("COPRODUCE_SIGNING_KEY", ""),
                   key_file=environ.get("COPRODUCE_KEY_FILE", ""), key=environ.get("COPRODUCE_KEY", ""),
                   checkpoint_seconds=text.seconds("COPRODUCE_CHECKPOINT_SECONDS", 3600),
                   smtp_url=environ.get("COPRODUCE_SMTP_URL", ""), mail_from=environ.get("COPRODUCE_MAIL_FROM", ""),
                   site_url=environ.get("COPRODUCE_SITE_URL", ""),
                   notifications=text.choice("COPRODUCE_NOTIFICATIONS", MODES),
                   notify_api_key=environ.get("COPRODUCE_NOTIFY_API_KEY", ""),
                   retry_seconds=text.seconds("COPRODUCE_RETRY_SECONDS", 30, such_as=30),
                   notify_url=environ.get("COPRODUCE_NOTIFY_URL", ""),
                   notify_templates=tuple((way, environ[f"COPRODUCE_NOTIFY_{way.upper()}_TEMPLATE"])
                                          for way in NOTIFY_WAYS if environ.get(f"COPRODUCE_NOTIFY_{way.upper()}_TEMPLATE")))

    def store(self) -> Store:
        return Store.parse(self.database_url, self.manage_schema)


YES_NO = ("yes", "no")
MODES = ("inline", "worker")


class SettingRefused(StoreConfigError):
    """A COPRODUCE_* variable that does not hold what it must: refused in one line naming it, what it
    must look like, and what it is."""

    def __init__(self, name: str, must: str, value: str):
        super().__init__(f"{name} must be {must} (it is {value!r})")


class _Reader:
    """The one place where the variables' text becomes numbers, choices and limits, each refused as
    `SettingRefused` when it does not hold what it must."""

    def __init__(self, environ: Mapping[str, str]):
        self.environ = environ

    def seconds(self, name: str, default: float, such_as: int = 300) -> float:
        raw = self.environ.get(name) or ""
        try:
            value = float(raw) if raw else default
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise SettingRefused(name, f"a number of seconds, such as {such_as}", raw)
        return value

    def whole(self, name: str, default: int, such_as: int) -> int:
        raw = (self.environ.get(name) or "").strip()
        if raw and (not raw.isdigit() or int(raw) < 1):
            raise SettingRefused(name, f"a whole number, such as {such_as}", raw)
        return int(raw) if raw else default

    def choice(self, name: str, allowed: tuple[str, ...], default: str = "") -> str:
        raw = self.environ.get(name) or default
        if raw and raw.lower() not in allowed:
            raise SettingRefused(name, " or ".join(allowed), raw)
        return raw.lower()

    def rate(self, name: str, default: str) -> str:
        raw = self.environ.get(name) or default
        try:
            parse_many(raw)
        except ValueError:
            raise SettingRefused(name, "a rate limit, such as '600 per minute' or '10/second'", raw) from None
        return raw

    def storage(self, name: str, default: str) -> str:
        raw = self.environ.get(name) or default
        scheme, separator, _ = raw.partition("://")
        if not separator or scheme not in SCHEMES:
            raise SettingRefused(name, "memory:// or a storage address such as redis://host:6379", raw)
        return raw


# How each of the HTTP server's settings (Config's fields, COPRODUCE_<FIELD>) is read.
HTTP_SETTINGS: dict[str, Callable[[_Reader, str, Any], Any]] = {
    "max_body_bytes": lambda text, name, default: text.whole(name, default, such_as=65536),
    "ready_max_lag": lambda text, name, default: text.whole(name, default, such_as=1000),
    "token_idle_days": lambda text, name, default: text.whole(name, default, such_as=30),
    "rate_limit": _Reader.rate, "sign_in_limit": _Reader.rate, "rate_limit_storage": _Reader.storage,
}


def http_config(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """The HTTP server's settings: COPRODUCE_<NAME> variables, then `overrides` (field names as keys)."""
    text, defaults = _Reader(os.environ if environ is None else environ), Config()
    values: dict[str, Any] = {"database_url": text.environ.get("COPRODUCE_DATABASE_URL") or defaults.database_url}
    for field in fields(Config):
        read = HTTP_SETTINGS.get(field.name)
        if read is not None:
            values[field.name] = read(text, f"COPRODUCE_{field.name.upper()}", getattr(defaults, field.name))
    return replace(Config(**values), **dict(overrides or {}))


def checked_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Every setting checked once, before anything is opened or served: the variables' shapes, the
    database URL, the ways messages go, and that the key files named are not directories. The first
    one wrong is refused (`StoreConfigError`, one line); nothing is opened, made or changed."""
    settings = Settings.from_env(environ)
    http_config(environ=environ)
    store = settings.store()
    _projections_inline(settings, store)
    _deliver_inline(settings, store)
    try:
        channels(settings)
    except SmtpConfigError as error:
        raise StoreConfigError(str(error)) from None
    keys = key_source(settings, store)
    for name, path in (("COPRODUCE_SIGNING_KEY", _signing_key(settings, store)), ("COPRODUCE_KEY_FILE", keys.path)):
        if path is not None and path.is_dir():
            raise SettingRefused(name, "a file (one that may not exist yet), not a directory", str(path))
    return settings


def _projections_inline(settings: Settings, store: Store) -> bool:
    mode = settings.projections or ("inline" if store.is_sqlite else "worker")
    if mode not in ("inline", "worker"):
        raise StoreConfigError("COPRODUCE_PROJECTIONS must be inline or worker")
    return mode == "inline"


def channels(settings: Settings) -> dict[str, Channel]:
    """The ways messages can go, as configured: GOV.UK Notify for each way with a template, email by
    SMTP when a mail server is given (it wins over Notify for email); none configured, messages wait."""
    found: dict[str, Channel] = {}
    if settings.notify_api_key:
        for way, template_id in settings.notify_templates:
            found[way] = NotifyChannel(way, settings.notify_api_key, template_id, settings.notify_url)
    if settings.smtp_url:
        found["email"] = SmtpChannel(settings.smtp_url, settings.mail_from)
    return found


def _deliver_inline(settings: Settings, store: Store) -> bool:
    mode = settings.notifications or ("inline" if store.is_sqlite else "worker")
    if mode not in ("inline", "worker"):
        raise StoreConfigError("COPRODUCE_NOTIFICATIONS must be inline or worker")
    return mode == "inline"


def _signing_key(settings: Settings, store: Store) -> Path:
    if settings.signing_key:
        return Path(settings.signing_key)
    return (Path(store.url.database).parent if store.is_sqlite else Path("var")) / "signing-key.pem"


def key_source(settings: Settings, store: Store) -> KeySource:
    """Where the key-encryption keys are: COPRODUCE_KEY, or the key file (COPRODUCE_KEY_FILE, by
    default beside the signing key)."""
    if settings.key and settings.key_file:
        raise KeyCustodyError("set COPRODUCE_KEY_FILE or COPRODUCE_KEY, not both")
    if settings.key:
        return KeySource(text=settings.key)
    return KeySource(Path(settings.key_file) if settings.key_file
                     else _signing_key(settings, store).parent / "key-encryption.keys")


def key_custody(settings: Settings | None = None) -> Custody:
    """The person keys and the key-encryption keys that wrap them, for the operator's steps
    (`coproduce init`, `coproduce keys`). Close it after use."""
    settings = settings or Settings.from_env()
    store = settings.store()
    if store.is_sqlite:
        Path(store.url.database).parent.mkdir(parents=True, exist_ok=True)
    return Custody(store.engine(), key_source(settings, store))


def open_application(store: Store | None = None, *, projections_inline: bool | None = None,
                     settings: Settings | None = None, token_idle_days: int | None = None) -> Coproduce:
    """The application on `store` (by default the one the settings name), with its adapters."""
    settings = settings or Settings.from_env()
    store = store or settings.store()
    engine = store.engine()
    try:
        upgrade(store, engine) if store.manage_schema else require_current(engine)
    except StoreConfigError:  # a store this release may not run on: refused before anything is built
        engine.dispose()
        raise
    credentials = Credentials(engine, store.create_tables if store.manage_schema else None,
                              **({"idle_days": token_idle_days} if token_idle_days else {}))
    key_path = _signing_key(settings, store)
    outbox = Outbox(store.deliveries_engine(), timedelta(seconds=settings.retry_seconds))
    try:
        keys = KeyStore(engine, store.create_tables, key_source(settings, store), store.manage_schema)
    except KeyCustodyError:
        engine.dispose()
        raise
    turns = _turns(store, "writer")
    wiring = Wiring(
        store=store, eventsourcing_env=store.eventsourcing_env(), engine=engine,
        projections_inline=_projections_inline(settings, store) if projections_inline is None else projections_inline,
        turns=turns,
        catch_up_turns=_turns(store, "catch-up"),
        keys=keys, sealer_for=Sealer, credentials=credentials,
        create_tables=store.create_tables,
        audit=lambda recorder, projections: Audit(engine, recorder, projections, key_path,
                                                  settings.checkpoint_seconds, store.create_tables, turns.turn),
        snapshot_transcoder=SnapshotTranscoder, register_transcodings=register_domain_records,
        unreachable=unreachable, after_forget=[lambda _: scrub_older_answers(engine), lambda person: outbox.forget(str(person)),
                                               lambda _: store.scrub_deleted(engine)],
        schema_turn=lambda: schema_turn(store, engine), outbox=outbox, channels=channels(settings),
        site_url=settings.site_url, deliver_inline=_deliver_inline(settings, store))
    try:
        app = Coproduce(wiring)
    except StoreConfigError:  # another store's signing key, or none where checkpoints need it
        engine.dispose()
        raise
    credentials.read_versions_from(app.recorder)
    if wiring.projections_inline:  # no worker: views this release changed or added are made before serving
        app.rebuild_stale_views()
        app.projections.catch_up()
    return app


def open_history(settings: Settings | None = None) -> History:
    """The history as it is stored, for an auditor's commands (`coproduce audit verify`, `export`,
    `public-key`): opened read-only, so that nothing is migrated, rebuilt or made; a store too old to
    read as it is, is refused. Close it after use."""
    settings = settings or Settings.from_env()
    store = settings.store()
    engine = _read_only_engine(store)
    events = ("stored_events", "rowid") if store.is_sqlite else ("coproduce_events", "notification_id")
    try:
        return History(engine, *events, _signing_key(settings, store))
    except BaseException:
        engine.dispose()
        raise


def _read_only_engine(store: Store) -> Any:
    """An engine that cannot write: SQLite's file opened read-only (mode=ro; SQLite may still make
    its -wal and -shm files beside a WAL store), PostgreSQL's transactions read-only."""
    if store.is_sqlite:
        url = URL.create("sqlite", database=f"file:{quote(store.url.database)}", query={"mode": "ro", "uri": "true"})
        return create_engine(url, connect_args={"timeout": 10})
    return create_engine(store.url, pool_timeout=CONNECT_SECONDS,
                         connect_args={"connect_timeout": CONNECT_SECONDS,
                                       "options": "-c default_transaction_read_only=on"})


def _turns(store: Store, what: str) -> WriteTurns | NoTurns:
    """Turns taken by every process on a SQLite store (see service/infra/writes.py); none elsewhere."""
    return WriteTurns(Path(store.url.database), what) if store.is_sqlite else NoTurns()


def upgrade_store(settings: Settings | None = None, say: Callable[[str], None] = lambda _: None) -> Upgraded:
    """`coproduce upgrade`: the store's own tables brought to this release's schema, saying what it does."""
    store = replace(settings or Settings.from_env(), manage_schema=True).store()
    engine = store.engine()
    try:
        return upgrade(store, engine, say)
    finally:
        engine.dispose()


def in_memory_application() -> Coproduce:
    """The application on an in-memory store (events in memory, its tables in an in-memory SQLite
    database): for unit tests of the use cases, which need no database file or server."""
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    key_path = Path(tempfile.mkdtemp(prefix="coproduce-memory-")) / "signing-key.pem"
    wiring = Wiring(
        store=None, eventsourcing_env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, engine=engine,
        projections_inline=True, turns=NoTurns(), catch_up_turns=NoTurns(),
        keys=KeyStore(engine, create_tables, KeySource(text=new_entry())),
        sealer_for=Sealer,
        credentials=Credentials(engine, create_tables), create_tables=create_tables,
        audit=lambda recorder, projections: Audit(engine, recorder, projections, key_path, 3600, create_tables),
        snapshot_transcoder=SnapshotTranscoder, register_transcodings=register_domain_records,
        unreachable=unreachable, outbox=Outbox(engine))
    create_tables(idempotency_store.metadata, engine)
    create_tables(outbox_table.metadata, engine)
    return Coproduce(wiring)


def create_app(overrides: Mapping[str, Any] | Config | None = None) -> Flask:
    """The site and the API on one application; `overrides` change COPRODUCE_* settings (field names as keys)."""
    config = overrides if isinstance(overrides, Config) else http_config(overrides)
    settings = Settings.from_env()
    store = Store.parse(config.database_url, settings.manage_schema)
    return factory.create_app(config, open_application(store, settings=settings,
                                                       token_idle_days=config.token_idle_days), FAULTS.recently_full)
