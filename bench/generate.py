"""Scale data: hubs, people and issues at every stage, written through the application in batches.

    python -m bench.generate --events 1000000 --seed 7 --database-url sqlite:///var/bench.db

Every hub gets 4,000 events (the last one what is left), so a hub, its board and its
experts' input look the same at 10k events as at 1M: only the number of hubs grows. The
shape (hubs, people, stories, texts) follows from the seed; ids and timestamps do not.
Aggregates are built with the domain's own methods, their personal content sealed by the
application, and saved together, many per transaction (`Application.save(*aggregates)`).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from random import Random
from typing import TypeVar
from uuid import UUID, uuid4

from bench import words
from bench.scratch import scratch_store
from domain import (
    Account, Actor, Attribution, Channel, Hub, HubLifecycle, ParticipationLevel as Level, Role,
    SessionFormat, Stage, SystemicIssue, Username,
)
from service.app.coproduce import Coproduce
from service.bootstrap import open_application
from service.infra.store import Store

T = TypeVar("T")
EVENTS_PER_HUB = 4_000
EXPERTS_PER_HUB = 8
PASSWORD = "bench-password"  # set for hub 0's people, the admin and the auditor: the HTTP benchmarks sign in
STOPS = [Stage.FRAME, Stage.EXPLORE, Stage.ACT, Stage.LEARN, Stage.CLOSED]
STOP_WEIGHTS = [2, 2, 3, 1, 2]


@dataclass
class Cast:
    """One hub and its people."""

    hub: Hub
    manager: Actor
    facilitator: Actor
    owner: Actor
    experts: list[Actor]
    sessions: list[UUID] = field(default_factory=list)


class Batch:
    """Aggregates waiting to be saved together in one transaction."""

    def __init__(self, app: Coproduce, size: int):
        self.app, self.size = app, size
        self.aggregates: list = []
        self.waiting = self.saved = 0

    def add(self, *aggregates) -> None:
        self.aggregates.extend(aggregates)
        self.waiting += sum(len(a.pending_events) for a in aggregates)
        if self.waiting >= self.size:
            self.flush()

    def flush(self) -> None:
        if self.aggregates:
            self.app.save(*self.aggregates)
        self.saved += self.waiting
        self.aggregates, self.waiting = [], 0


class Generator:
    """Writes `events` events of hubs, people and issues, reproducibly from `seed`."""

    def __init__(self, app: Coproduce, seed: int, batch: int = 500):
        self.app, self.rng = app, Random(seed)
        self.batch = Batch(app, batch)
        self.admin = self._person("admin", Role.ADMIN, None)
        self.auditor = self._person("auditor", Role.AUDITOR, None)

    def run(self, events: int) -> int:
        for number in range(max(1, math.ceil(events / EVENTS_PER_HUB))):
            quota = min(events, (number + 1) * EVENTS_PER_HUB)
            cast = self.hub(number)
            while self.batch.saved + self.batch.waiting < quota:
                self.batch.add(self.issue(cast))
        self.batch.flush()
        for username in ["admin", "auditor", "m0", "f0", "o0", "e0-0", "e0-1"]:
            self.app.set_password(self.app.account_by_username(username).id, PASSWORD)
        return self.batch.saved

    def _person(self, username: str, role: Role, hub: Hub | None) -> Actor:
        account_id = uuid4()
        actor = Actor(account_id, role)
        seal = self.app.sealer.seal
        account = Account.register(account_id, username, role, seal(account_id, f"Person {username}"),
                                   seal(account_id, f"{username}@example.org"), actor)
        claim = Username(username=account.username, account_id=account_id, actor=actor.as_dict())
        if hub is not None and role == Role.HUB_MANAGER:
            hub.assign_manager(account_id, self.admin)
        if hub is not None:
            account.join_hub(hub.id, self.admin)
        self.batch.add(account, claim)
        return actor

    def hub(self, number: int) -> Cast:
        hub = Hub.create(f"Hub {number}", f"Area {number}", HubLifecycle.ACTIVE, self.admin)
        cast = Cast(hub, self._person(f"m{number}", Role.HUB_MANAGER, hub),
                    self._person(f"f{number}", Role.FACILITATOR, hub),
                    self._person(f"o{number}", Role.ACTION_OWNER, hub),
                    [self._person(f"e{number}-{k}", Role.EXPERT, hub) for k in range(EXPERTS_PER_HUB)])
        for month in range(1, 5):
            cast.sessions.append(hub.record_session(
                held_on=date(2024, month, 10), place=words.pick(self.rng, words.PLACES),
                format=SessionFormat.MEETING, experts_attended=self.rng.randrange(3, 15),
                staff_attended=self.rng.randrange(1, 6), actor=cast.manager))
        self.batch.add(hub)
        return cast

    def issue(self, cast: Cast, stop: Stage | None = None) -> SystemicIssue:
        """One issue's story, told up to `stop` (by default a stage chosen at random)."""
        rng, manager = self.rng, cast.manager
        stop = stop or rng.choices(STOPS, STOP_WEIGHTS)[0]
        issue = SystemicIssue.raise_issue(cast.hub.id, words.title(rng), rng.choice(cast.experts))
        issue.frame(words.sentence(rng, "Problem"), words.pick(rng, words.PEOPLE), manager)
        said = [self.contribution(issue, cast) for _ in range(rng.randrange(2, 8))]
        if stop == Stage.FRAME:
            return issue
        issue.select(words.sentence(rng, "Chosen"), Level.CO_PRODUCTION, manager)
        issue.advance_stage(Stage.EXPLORE, "Framed and chosen at the hub meeting", Level.CO_DESIGN, manager)
        issue.theme_contributions(words.pick(rng, words.PROBLEMS), said[:2], manager)
        for name in rng.sample(words.ORGANISATIONS, rng.randrange(1, 3)):
            issue.add_stakeholder(name, "service", manager)
        issue.record_finding(words.sentence(rng, "Finding"), said, manager)
        if stop == Stage.EXPLORE:
            return issue
        issue.advance_stage(Stage.ACT, "Findings agreed", Level.ENGAGEMENT, manager)
        action = issue.commit_action(words.sentence(rng, "Action"), cast.owner.account_id,
                                     date(2025, rng.randrange(1, 13), 1), said, manager)
        for _ in range(rng.randrange(0, 3)):
            issue.report_progress(action, words.sentence(rng, "Progress"), cast.owner)
        if stop == Stage.ACT:
            return issue
        issue.complete_action(action, words.sentence(rng, "Done"), cast.owner)
        issue.advance_stage(Stage.LEARN, "The action is complete", Level.CO_PRODUCTION, manager)
        issue.give_feedback(words.sentence(rng, "You said, we did"), said, manager)
        issue.record_learning(words.sentence(rng, "Changed"), "Follow-up calls", "Check in six months", manager)
        rater = Actor(UUID(issue.contributor_of(said[0])), Role.EXPERT)
        issue.rate_participation(int(next(iter(issue.decisions))), Level.CONSULTATION, rater)
        if stop == Stage.CLOSED:
            issue.close(words.sentence(rng, "Outcome"), Level.CO_PRODUCTION, manager)
        return issue

    def contribution(self, issue: SystemicIssue, cast: Cast) -> UUID:
        """An expert's input: online by themselves, or at a session through the facilitator."""
        expert = self.rng.choice(cast.experts)
        text = self.app.sealer.seal(expert.account_id, words.sentence(self.rng, "I said"))
        if self.rng.random() < 0.5:
            return issue.record_contribution(expert.account_id, text, expert, Channel.ONLINE, True,
                                             Attribution.ANONYMOUS)
        return issue.record_contribution(expert.account_id, text, cast.facilitator, Channel.IN_PERSON, True,
                                         Attribution.FIRST_NAME, self.rng.choice(cast.sessions))


def generate(database_url: str, events: int, seed: int = 7, catch_up: bool = True) -> dict[str, float]:
    """Fill an empty store; returns how many events were written and how fast."""
    app = open_application(Store.parse(database_url), projections_inline=False)
    try:
        started = time.perf_counter()
        written = Generator(app, seed).run(events)
        wrote = time.perf_counter() - started
        if catch_up:
            app.projections.catch_up()
        if not app.store.is_sqlite:  # a bulk load has no planner statistics until autovacuum gets to it
            with app.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        return {"events": written, "write_seconds": wrote, "events_per_second": written / wrote,
                "catch_up_seconds": time.perf_counter() - started - wrote}
    finally:
        app.close()


def on_store(database_url: str, question: Callable[[Coproduce], T]) -> T:
    """Open the application on a store, ask it one thing, close it."""
    app = open_application(Store.parse(database_url), projections_inline=False)
    try:
        return question(app)
    finally:
        app.close()


@contextlib.contextmanager
def generated(kind: str, events: int, keep: str | None = None) -> Iterator[str]:
    """A store of `kind` holding `events` events, read models caught up. With `keep` (SQLite only),
    the file `<keep>/<events>.db` is made once and used again by later runs."""
    if keep and kind == "sqlite":
        path = Path(keep) / f"{events}.db"
        url = f"sqlite:///{path.resolve()}"
        if not path.exists():
            generate(url, events)
        on_store(url, lambda app: app.projections.catch_up())  # made with --no-catch-up, or cut short
        yield url
        return
    with scratch_store(kind) as url:
        generate(url, events)
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--no-catch-up", action="store_true", help="leave the read models behind")
    options = parser.parse_args()
    summary = generate(options.database_url, options.events, options.seed, not options.no_catch_up)
    print(" ".join(f"{key}={value:.1f}" for key, value in summary.items()))


if __name__ == "__main__":
    main()
