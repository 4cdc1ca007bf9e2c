"""The composition root: the one place that reads the settings (COPRODUCE_* variables) and wires
the application to its adapters, and the HTTP server to the application."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask
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
from service.infra.smtp_channel import SmtpChannel
from service.infra.snapshots import SnapshotTranscoder
from service.infra.store import DEFAULT_URL, Store, StoreConfigError, create_tables, unreachable
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
        environ = os.environ if environ is None else environ
        return cls(database_url=environ.get("COPRODUCE_DATABASE_URL") or DEFAULT_URL,
                   manage_schema=environ.get("COPRODUCE_MANAGE_SCHEMA", "yes").lower() != "no",
                   projections=environ.get("COPRODUCE_PROJECTIONS", ""),
                   signing_key=environ.get("COPRODUCE_SIGNING_KEY", ""),
                   key_file=environ.get("COPRODUCE_KEY_FILE", ""), key=environ.get("COPRODUCE_KEY", ""),
                   checkpoint_seconds=float(environ.get("COPRODUCE_CHECKPOINT_SECONDS") or 3600),
                   smtp_url=environ.get("COPRODUCE_SMTP_URL", ""), mail_from=environ.get("COPRODUCE_MAIL_FROM", ""),
                   site_url=environ.get("COPRODUCE_SITE_URL", ""),
                   notifications=environ.get("COPRODUCE_NOTIFICATIONS", ""),
                   notify_api_key=environ.get("COPRODUCE_NOTIFY_API_KEY", ""),
                   retry_seconds=float(environ.get("COPRODUCE_RETRY_SECONDS") or 30),
                   notify_url=environ.get("COPRODUCE_NOTIFY_URL", ""),
                   notify_templates=tuple((way, environ[f"COPRODUCE_NOTIFY_{way.upper()}_TEMPLATE"])
                                          for way in NOTIFY_WAYS if environ.get(f"COPRODUCE_NOTIFY_{way.upper()}_TEMPLATE")))

    def store(self) -> Store:
        return Store.parse(self.database_url, self.manage_schema)


def http_config(overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """The HTTP server's settings: COPRODUCE_<NAME> variables, then `overrides` (field names as keys)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for field in fields(Config):
        raw = environ.get(f"COPRODUCE_{field.name.upper()}")
        if raw:
            values[field.name] = int(raw) if field.type == "int" else raw
    return replace(Config(**values), **dict(overrides or {}))


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
                                                       token_idle_days=config.token_idle_days))
