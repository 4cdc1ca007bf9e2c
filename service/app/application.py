"""The Coproduce application: every command and the queries the rules need."""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import InternalError, JSONTranscoder, RecordConflictError, Recording
from eventsourcing.utils import Environment
from sqlalchemy import Engine

from domain import (
    Account,
    Actor,
    ConflictError,
    DomainError,
    Hub,
    NotAllowed,
    NotFound,
    PriorityRound,
    RuleBroken,
    StaleVersion,
    SystemicIssue,
    Username,
)
from domain.text import refuse_control_characters
from projections.all_views import VIEWS
from projections.describe import FORGOTTEN
from projections.runner import Projections
from service.app.authorization import Decision, Permission, Target, Who, decide
from service.app.catch_ups import CatchUps
from service.app.copies import copied
from service.app.group_commits import GroupCommits
from service.app.ports import Keys, OutcomeUnknown, StoreUnavailable, Wiring, serving

log = logging.getLogger(__name__)
A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")

# The aggregates one answer has looked up, by repository and id; None outside an answer (`CoproduceBase.begin_answer`).
_looked_up: ContextVar[dict[tuple[Any, UUID], Aggregate] | None] = ContextVar("looked_up", default=None)
# Whether this answer has found the read models showing the log as it stood when they were first read (`read_models`).
_views_reached: ContextVar[bool] = ContextVar("views_reached", default=False)
# What this answer saved, each with its version as saved, to be held in the cache once the answer ends (`_hold`).
_saved_here: ContextVar[list[tuple[Aggregate, int]] | None] = ContextVar("saved_here", default=None)


def _tolerating_concurrent_create(make: Callable[[], T]) -> T:
    """The library creates its tables on start-up; on PostgreSQL two server workers starting at
    once can collide doing so ("tuple concurrently updated"), which stopped the server. Try again,
    as `create_tables` does for ours."""
    for _ in range(2):
        try:
            return make()
        except InternalError:
            time.sleep(0.1)
    return make()


class _KeysOnce:
    """A key store's answers remembered for the length of one answer (never across answers,
    so a forgotten person's key is not kept alive)."""

    def __init__(self, keys: Keys):
        self.keys, self.found = keys, {}

    def key_for(self, person_id: UUID) -> bytes | None:
        if person_id not in self.found:
            self.found[person_id] = self.keys.key_for(person_id)
        return self.found[person_id]


class CoproduceBase(Application):
    """Store wiring, sealing and the load/change/save cycle shared by all commands."""

    name = "Coproduce"
    snapshotting_intervals = {SystemicIssue: 50, PriorityRound: 500}  # a round: one event per ballot
    env = {"AGGREGATE_CACHE_MAXSIZE": "1000"}

    def __init__(self, wiring: Wiring):
        """Built by the composition root (`service.bootstrap.open_application`), which reads the
        settings and makes the adapters. `wiring.projections_inline`: catch the read models up after
        every command (the default on SQLite); otherwise a `coproduce projections run` worker does it."""
        self.wiring = wiring
        self.store = wiring.store
        super().__init__(dict(wiring.eventsourcing_env))
        self.engine = wiring.engine
        self.writes = wiring.turns
        self.keys = wiring.keys
        self.sealer = wiring.sealer_for(self.keys)
        self.credentials = wiring.credentials
        self._saved = threading.local()
        self.projections = Projections(self.recorder, self.mapper, self.engine, VIEWS, wiring.create_tables,
                                       reconnect=self._recorder_of_its_own, catch_up_turn=wiring.catch_up_turns.turn,
                                       write_turn=self.writes.turn)
        self.projections_inline = wiring.projections_inline
        self.audit = wiring.audit(self.recorder, self.projections)
        self.catch_ups = CatchUps(self._catch_up_here, self.unreachable)
        self._commits = GroupCommits(self._record_together, lambda error: isinstance(error, RecordConflictError))
        self._answers_first = False

    @contextlib.contextmanager
    def _recorder_of_its_own(self) -> Iterator[Any]:
        """The log's recorder with connections of its own, closed on leaving (for a forked process).
        It makes nothing: the store is made, and several processes making its tables (and, on
        PostgreSQL, replacing its functions) at once would clash."""
        factory = self.construct_factory(Environment(self.env.name, {
            **self.env, f"{self.env.name.upper()}_{self.factory.CREATE_TABLE}": "no"}))
        try:
            yield factory.application_recorder()
        finally:
            factory.close()

    def rebuild_stale_views(self) -> list[str]:
        """Rebuild the read models this release changed (see `Projections.rebuild_stale`), one
        process at a time; the names of those rebuilt here."""
        with self.wiring.schema_turn():
            return self.projections.rebuild_stale()

    def save(self, *aggregates: Aggregate, **kwargs: Any) -> list[Recording]:
        """The library's save of aggregates, without asking of each whether it is an event or an
        aggregate: Python 3.11 answers `isinstance` against the library's runtime-checkable protocols
        by listing their members again on every call, 0.065 ms of a command's 3.5 ms under load.
        Everything saved here is an aggregate."""
        processing_event: ProcessingEvent = ProcessingEvent()
        for aggregate in aggregates:
            processing_event.events.extend(aggregate.collect_events())
            processing_event.aggregates[aggregate.id] = aggregate
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def _record(self, processing_event: Any) -> Any:
        recordings = self._commits.record(processing_event)
        self._hold(processing_event.aggregates.values())
        return recordings

    def _record_together(self, saves: list[ProcessingEvent]) -> list[list[Recording]]:
        """The saves of several commands in one transaction (see `GroupCommits`); each save's recordings."""
        with self.writes.turn():
            if len(saves) == 1:
                return [super()._record(saves[0])]
            recordings = self.events.put([event for save in saves for event in save.events],
                                         requests=[(save.saved_kwargs.get("request_key"), len(save.events))
                                                   for save in saves])
        ends = list(itertools.accumulate(len(save.events) for save in saves))
        return [recordings[end - len(save.events):end] for save, end in zip(saves, ends)]

    def _hold(self, saved: Iterable[Aggregate]) -> None:
        """What was just saved becomes this process's cached copy, unless the cache already holds a
        later version: the next command on it is then decided without asking the store for newer
        events (`_decided`). Within an answer the saved aggregate itself is held once the answer
        ends (`end_answer`), when nothing reads or changes it any more; elsewhere (the command line,
        whose caller may go on changing what it saved) the cache holds a copy of its own."""
        cache = self.repository.cache
        if cache is None:
            return
        saved_here = _saved_here.get()
        for aggregate in saved:
            if saved_here is not None:
                saved_here.append((aggregate, aggregate.version))
            else:
                self._held_unless_older(copied(aggregate))

    def _held_unless_older(self, aggregate: Aggregate) -> None:
        held = self._in_cache(aggregate.id)
        if held is None or held.version < aggregate.version:
            self.repository.cache.put(aggregate.id, aggregate)

    def _in_cache(self, aggregate_id: UUID) -> Aggregate | None:
        try:
            return self.repository.cache.get(aggregate_id) if self.repository.cache is not None else None
        except KeyError:
            return None

    def _take_snapshots(self, processing_event: ProcessingEvent) -> None:
        """A snapshot of each aggregate whose save reached a multiple of its interval, taken from the
        aggregate as just saved (the library replays it from the store first: for an issue of a few
        hundred inputs, its last snapshot and events read back and decoded on every 50th input),
        and written in the writers' turn, as saves are, rather than by polling for the file's lock.
        A snapshot only spares replaying: one that cannot be written fails nothing already recorded."""
        if self.snapshots is None:
            return
        for aggregate in processing_event.aggregates.values():
            interval = self.snapshotting_intervals.get(type(aggregate))
            if interval is None:
                continue
            if any(event.originator_version % interval == 0 for event in processing_event.events
                   if event.originator_id == aggregate.id):
                snapshot = getattr(type(aggregate), "Snapshot", type(self).snapshot_class).take(aggregate)
                try:
                    with self.writes.turn():
                        self.snapshots.put([snapshot])
                except Exception:  # the next interval takes one again
                    log.warning("no snapshot of %s at version %s", aggregate.id, aggregate.version, exc_info=True)

    def _notify(self, recordings: list) -> None:
        """After every save, with no projection worker: bring the read models up to date, at once
        (a command from the command line), or just after the answer is sent (`answer_first`)."""
        if self.projections_inline:
            (self.catch_ups.soon if self._answers_first else self.catch_ups.now)()

    def answer_first(self) -> None:
        """This process serves people: a command is answered once its events are committed, and the
        read models catch up in the background, many commands at a time; a later read that finds
        them behind brings them up to date first (`read_models`), so nobody misses a change that
        was recorded before they asked."""
        self._answers_first = True

    def read_models(self) -> Engine:
        """The read models' database, once they show every event recorded before this answer first
        read them (outside an answer: before this call). A reader who finds them behind catches
        them up, or waits for the catch-up under way: whoever changed something sees it in their
        very next read, whichever door, server process or projection mode it goes through. Views
        being rebuilt (`Projections.behind`) are not waited for."""
        if not _views_reached.get():
            if self.projections.behind():
                self.catch_ups.now()
            if _looked_up.get() is not None:
                _views_reached.set(True)
        return self.engine

    def _catch_up_here(self) -> None:
        self.projections.catch_up()
        self.audit.checkpoint_if_due()  # it takes the writers' turn to write, and only then

    def construct_recorder(self) -> Any:
        return _tolerating_concurrent_create(super().construct_recorder)

    def construct_snapshot_store(self) -> Any:
        """Snapshots in their own, faster format (service/snapshots.py); events stay JSON."""
        recorder = _tolerating_concurrent_create(lambda: self.factory.aggregate_recorder(purpose="snapshots"))
        mapper = self.factory.mapper(transcoder=self.wiring.snapshot_transcoder(self.mapper.transcoder))
        return self.factory.event_store(mapper=mapper, recorder=recorder)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        self.wiring.register_transcodings(transcoder)

    def close(self) -> None:
        if hasattr(self, "catch_ups"):
            self.catch_ups.close()
        super().close()
        if hasattr(self, "engine"):
            self.engine.dispose()
            self.writes.close()
            self.wiring.catch_up_turns.close()

    def _cached(self, cls: type[A], aggregate_id: UUID, what: str, as_of: int | None = None) -> A:
        """The repository's own instance, shared by every thread: never change it. Within one answer
        the store is asked for its newer events once: a command looked the signed-in account up four
        times (sign-in and each rule), each time asking the store (`begin_answer`). `as_of`: the last
        version in the log, if the caller has just read it; an instance held at that version is not
        asked about again."""
        looked_up = _looked_up.get()
        try:
            key = UUID(str(aggregate_id))
            aggregate = looked_up.get((self.repository, key)) if looked_up is not None else None
            if aggregate is None and as_of is not None:
                aggregate = self._held_at(key, as_of)
            if aggregate is None:
                aggregate = self.repository.get(key, deepcopy_from_cache=False)
            if looked_up is not None:
                looked_up[(self.repository, key)] = aggregate
        except (AggregateNotFoundError, ValueError):
            raise NotFound(f"no {what} with id {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {what} with id {aggregate_id}")
        return aggregate

    def _held_at(self, key: UUID, version: int) -> Aggregate | None:
        """The repository's cached instance, if it is at `version`."""
        try:
            held = self.repository.cache.get(key) if self.repository.cache is not None else None
        except KeyError:
            return None
        return held if held is not None and held.version == version else None

    def _get(self, cls: type[A], aggregate_id: UUID, what: str, as_of: int | None = None) -> A:
        """A copy of the aggregate of this caller's own, to read or change."""
        aggregate = self._cached(cls, aggregate_id, what, as_of)
        return copied(aggregate) if self.repository.cache is not None else aggregate

    def _save(self, *aggregates: Aggregate, conflict: str = "") -> None:
        """Save atomically, with the key of the request being served. The one place where a store
        collision becomes a ConflictError, and where a failed save is looked into before anyone is
        told that nothing was recorded."""
        pending = [event for aggregate in aggregates for event in aggregate.pending_events]
        request = serving.get()
        if _looked_up.get():
            _looked_up.set({})  # what this answer reads next is asked of the store again
        _views_reached.set(False)  # and the read models it reads next must show this save
        try:
            self.save(*aggregates, **({"request_key": request} if request is not None else {}))
        except RecordConflictError:
            if not self._kept(pending):
                raise ConflictError(conflict or (
                    "someone else changed this at the same time; nothing of yours was recorded: "
                    "reload and try again")) from None
        except Exception as error:
            if not self.wiring.unreachable(error):
                raise
            if not self._kept(pending):
                raise StoreUnavailable("The database could not be reached; nothing of yours was recorded. "
                                       "Try again in a few seconds.") from None

    def _kept(self, pending: list[Any]) -> bool:
        """Whether the events of a save that failed are in the store after all: the connection
        dropped after the commit, or a commit was sent again. If the store cannot be asked, nobody
        can tell (OutcomeUnknown)."""
        if not pending:
            return False
        first = pending[0]
        try:
            stored = self.recorder.select_events(first.originator_id, gt=first.originator_version - 1,
                                                 lte=first.originator_version)
        except Exception as error:
            if not self.wiring.unreachable(error):
                raise
            raise OutcomeUnknown(
                "We could not tell whether this was recorded: the database went away while it was being saved. "
                "Send it again with the same Idempotency-Key; it will not be recorded twice.") from None
        return bool(stored) and stored[0].state == self.mapper.to_stored_event(first).state

    def unreachable(self, error: BaseException) -> bool:
        """Whether `error` means the database is away (the answer: 503, try again shortly)."""
        return isinstance(error, StoreUnavailable) or self.wiring.unreachable(error)

    def _change(self, cls: type[A], aggregate_id: UUID, what: str,
                change: Callable[[A], T], expected_version: int | None = None) -> T:
        def decide(aggregate: A) -> T:
            if expected_version is not None and aggregate.version != expected_version:
                raise StaleVersion(
                    f"the {what} is at version {aggregate.version}, not {expected_version}: "
                    "reload and try again"
                )
            result = change(aggregate)
            self._save(aggregate)
            self._saved.aggregate = aggregate
            return result
        return self._decided(cls, aggregate_id, what, decide)

    def _decided(self, cls: type[A], aggregate_id: UUID, what: str, decide: Callable[[A], T]) -> T:
        """`decide` checks the rules on a copy of the aggregate, changes it and saves it. It is tried
        first on the copy this process holds, without asking the store whether it has newer events
        (a round trip that cost a command three statements): a change decided on a copy that is
        behind is refused by the store's compare-and-set on the version, since its first event
        takes a version already taken. That refusal, and any other, is decided again on the
        aggregate as the store has it, so that nobody is refused on the strength of an old copy.
        Rules that read other aggregates (who may do what) always ask the store."""
        held = self._held(aggregate_id) if _looked_up.get() is not None else None  # in an answer
        if isinstance(held, cls):
            try:
                return decide(copied(held))
            except DomainError:
                pass
        return decide(self._get(cls, aggregate_id, what))

    def _held(self, aggregate_id: UUID) -> Aggregate | None:
        """The newest this process has of an aggregate: as this answer last saved it, or as cached."""
        try:
            key = UUID(str(aggregate_id))
        except ValueError:
            return None
        held = self._in_cache(key)
        for aggregate, version in _saved_here.get() or ():
            if aggregate.id == key and aggregate.version == version and (held is None or held.version < version):
                held = aggregate
        return held

    def just_saved(self, aggregate_id: UUID) -> Any:
        """The aggregate as this thread's last command left it (a later read may already show
        someone else's change), or None if this thread's last command was on something else."""
        aggregate = self._saved.__dict__.pop("aggregate", None)
        return aggregate if aggregate is not None and aggregate.id == aggregate_id else None

    def clear_just_saved(self) -> None:
        """Start of a request: nothing saved by this thread yet."""
        self._saved.__dict__.pop("aggregate", None)

    @staticmethod
    def begin_answer() -> None:
        """Start of an answer (a request): each aggregate it looks up is asked of the store for newer
        events once, until the answer saves something or ends (`end_answer`). An answer then sees
        each aggregate as of its first look, as a quicker answer would have; a change made meanwhile
        elsewhere is caught by the save's compare-and-set (409) or by the next answer."""
        _looked_up.set({})
        _views_reached.set(False)
        _saved_here.set([])

    def end_answer(self, _error: BaseException | None = None) -> None:
        """End of an answer: what it saved is held in the cache, unless changed since it was saved
        (no copy: the answer has done with it); lookups go to the store again (outside answers, always)."""
        _looked_up.set(None)
        _views_reached.set(False)
        saved_here = _saved_here.get()
        _saved_here.set(None)
        for aggregate, version in saved_here or ():
            if aggregate.version == version and not aggregate.pending_events:
                self._held_unless_older(aggregate)

    # --- who may do what: every command and query asks here ------------------------------

    def who(self, actor: Actor) -> Who:
        """The acting person as the authorization table sees them: their role and hubs as they now stand."""
        account = self._cached(Account, actor.account_id, "account")
        if account.forgotten:
            raise NotAllowed("this account belongs to a person who asked to be forgotten")
        return Who(account.id, account.role, frozenset(account.hub_ids))

    def authorize(self, actor: Actor, permission: Permission, target: Target = Target(),
                  hidden: str = "not found") -> Actor:
        """The actor, with their current role, if the table allows `permission` on `target`.

        A target in a hub the actor may not see is reported with `hidden`, the same words as for
        something that does not exist, so that nobody learns which ids exist in other hubs."""
        who = self.who(actor)
        decision = decide(who, permission, target)
        if decision is Decision.NOT_FOUND:
            raise NotFound(hidden)
        if decision is Decision.FORBIDDEN:
            raise NotAllowed(f"your role ({who.role.value.replace('_', ' ')}) may not do this here")
        return Actor(who.account_id, who.role)

    def allows(self, actor: Actor, permission: Permission, hub_id: UUID | str | None = None,
               owner_id: UUID | None = None) -> bool:
        """Whether the table lets `actor` do `permission` (in a hub, on something of `owner_id`'s):
        for offering only what a person may do; the command itself decides again."""
        target = Target(UUID(str(hub_id)) if hub_id else None, owner_id)
        return decide(self.who(actor), permission, target) is Decision.ALLOWED

    def readable_issue(self, issue_id: UUID, actor: Actor) -> SystemicIssue:
        """A copy of the issue, if the actor may read it; the same NotFound as for no such issue."""
        try:
            issue = self.issue(issue_id)
        except NotFound:
            raise NotFound(f"no issue with id {issue_id}") from None
        self.authorize(actor, Permission.READ, Target(issue.hub_id), hidden=f"no issue with id {issue_id}")
        return issue

    def readable_hub(self, hub_id: UUID, actor: Actor, permission: Permission = Permission.READ) -> Hub:
        """The hub, if the actor may read it (and do `permission` in it); the same NotFound as for no such hub."""
        try:
            hub = self.hub(hub_id)
        except NotFound:
            raise NotFound(f"no hub with id {hub_id}") from None
        self.authorize(actor, Permission.READ, Target(hub.id), hidden=f"no hub with id {hub_id}")
        self.authorize(actor, permission, Target(hub.id))
        return hub

    # --- queries the rules and the history need ---------------------------------------

    def issue(self, issue_id: UUID) -> SystemicIssue:
        return self._get(SystemicIssue, issue_id, "issue")

    def hub_of(self, issue_id: UUID) -> UUID:
        """The hub an issue belongs to; it never changes, so the issue is not copied to read it."""
        return self._cached(SystemicIssue, issue_id, "issue").hub_id

    def hub(self, hub_id: UUID) -> Hub:
        return self._get(Hub, hub_id, "hub")

    def account(self, account_id: UUID) -> Account:
        return self._get(Account, account_id, "account")

    def account_by_username(self, username: str) -> Account:
        try:
            claim = self._get(Username, Username.create_id(username), "account")
        except RuleBroken:
            raise NotFound(f"no account called {username!r}") from None
        except NotFound:
            raise NotFound(f"no account called {username!r}") from None
        return self.account(claim.account_id)

    def actor_for(self, username: str) -> Actor:
        return self.account_by_username(username).as_actor()

    def display_name(self, account_id: UUID | str) -> str:
        """The person's name for display, or a plain phrase once they are forgotten."""
        try:
            account = self.account(UUID(str(account_id)))
        except NotFound:
            return "an unknown account"
        return self.sealer.open(account.name) or FORGOTTEN

    def sealed(self, person_id: UUID, text: str, field: str) -> str:
        """Personal content sealed with its owner's key, once it is found to hold no control
        characters (`field` names it in the refusal): the events hold only the sealed value, so
        the domain's own check of an event's text cannot see it."""
        refuse_control_characters({field: text})
        return self.sealer.seal(person_id, text)

    def open_sealed(self, sealed: str) -> str | None:
        """Personal content for display; None once its owner has been forgotten."""
        return self.sealer.open(sealed)

    def opener(self) -> Callable[[str], str | None]:
        """`open_sealed` for one answer showing many values: each person's key is read once."""
        return self.wiring.sealer_for(_KeysOnce(self.keys)).open

    def history(self, aggregate_id: UUID) -> list[Any]:
        """Every event of one aggregate, oldest first."""
        events = list(self.events.get(aggregate_id))
        if not events:
            raise NotFound(f"nothing recorded with id {aggregate_id}")
        return events
