"""Who may do what: the one authorization table the application decides every command and query by.

Each permission maps roles to a scope:
- ANY: anywhere;
- HUB: only on objects in a hub the account belongs to (managers: hubs they manage);
- OWN: only on the account's own objects (their input, their actions), in their hubs.
A role missing from a permission's row may not do it at all. Anything in a hub the
account cannot read is reported as not found, so hubs do not leak each other's data.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from uuid import UUID

from domain import Role

EXPERT, FACILITATOR, MANAGER = Role.EXPERT, Role.FACILITATOR, Role.HUB_MANAGER
OWNER, AUDITOR, ADMIN = Role.ACTION_OWNER, Role.AUDITOR, Role.ADMIN


class Scope(Enum):
    ANY = "any"
    HUB = "hub"
    OWN = "own"


class Permission(str, Enum):
    READ = "read"
    RAISE_ISSUE = "raise_issue"
    CONTRIBUTE = "contribute"
    WITHDRAW = "withdraw"
    SHAPE_ISSUE = "shape_issue"          # frame, select, theme, findings, stakeholders
    DECIDE_STAGE = "decide_stage"        # advance, move back, park, reopen, close
    COMMIT_ACTION = "commit_action"
    REPORT_PROGRESS = "report_progress"  # progress and completion
    DROP_ACTION = "drop_action"
    GIVE_FEEDBACK = "give_feedback"
    RECORD_LEARNING = "record_learning"
    RECORD_SESSION = "record_session"
    MANAGE_HUBS = "manage_hubs"          # create hubs, their lifecycle and managers
    MANAGE_ACCOUNTS = "manage_accounts"  # create accounts, roles, memberships
    READ_ACCOUNTS = "read_accounts"
    READ_REPORTS = "read_reports"        # a hub's accountability report
    READ_AUDIT = "read_audit"            # the audit trail and its exports
    RATE_DECISION = "rate_decision"      # say what participation level a decision felt like
    FORGET = "forget"                    # erase a person's personal data (crypto-shredding)
    WELCOME = "welcome"                  # record someone new without an account, reissue their code, link them
    PUBLISH = "publish"                  # turn a hub's public page on or off
    VOTE = "vote"                        # place dots in a hub's priority round
    RUN_ROUND = "run_round"              # open and close a hub's priority rounds
    RECORD_TALLY = "record_tally"        # record a room's paper dot-vote at a session
    CORRECT_INPUT = "correct_input"      # confirm, correct, or change the consent of one's own input
    COPY_FOR_SOMEONE = "copy_for_someone"  # a copy of everything held about another person (a paper request)


HUB_MEMBERS = {EXPERT: Scope.HUB, FACILITATOR: Scope.HUB, MANAGER: Scope.HUB, OWNER: Scope.HUB}
MANAGERS = {MANAGER: Scope.HUB}

TABLE: dict[Permission, dict[Role, Scope]] = {
    Permission.READ: {**HUB_MEMBERS, AUDITOR: Scope.ANY, ADMIN: Scope.ANY},
    Permission.RAISE_ISSUE: {EXPERT: Scope.HUB, FACILITATOR: Scope.HUB, MANAGER: Scope.HUB},
    Permission.CONTRIBUTE: {EXPERT: Scope.OWN, FACILITATOR: Scope.HUB},
    Permission.WITHDRAW: {EXPERT: Scope.OWN},
    Permission.SHAPE_ISSUE: MANAGERS,
    Permission.DECIDE_STAGE: MANAGERS,
    Permission.COMMIT_ACTION: MANAGERS,
    Permission.REPORT_PROGRESS: {OWNER: Scope.OWN, MANAGER: Scope.HUB},
    Permission.DROP_ACTION: MANAGERS,
    Permission.GIVE_FEEDBACK: MANAGERS,
    Permission.RECORD_LEARNING: MANAGERS,
    Permission.RECORD_SESSION: {FACILITATOR: Scope.HUB, MANAGER: Scope.HUB},
    Permission.MANAGE_HUBS: {ADMIN: Scope.ANY},
    Permission.MANAGE_ACCOUNTS: {ADMIN: Scope.ANY},
    Permission.READ_ACCOUNTS: {ADMIN: Scope.ANY, AUDITOR: Scope.ANY},
    Permission.READ_REPORTS: {MANAGER: Scope.HUB, AUDITOR: Scope.ANY, ADMIN: Scope.ANY},
    Permission.READ_AUDIT: {AUDITOR: Scope.ANY, ADMIN: Scope.ANY},
    Permission.RATE_DECISION: {EXPERT: Scope.HUB},
    Permission.FORGET: {ADMIN: Scope.ANY},
    Permission.WELCOME: {FACILITATOR: Scope.HUB, MANAGER: Scope.HUB},
    Permission.PUBLISH: {MANAGER: Scope.HUB, ADMIN: Scope.ANY},
    Permission.VOTE: {EXPERT: Scope.HUB},
    Permission.RUN_ROUND: MANAGERS,
    Permission.RECORD_TALLY: {FACILITATOR: Scope.HUB, MANAGER: Scope.HUB},
    Permission.CORRECT_INPUT: {EXPERT: Scope.OWN},
    Permission.COPY_FOR_SOMEONE: {ADMIN: Scope.ANY},
}


READS = {Permission.READ, Permission.READ_ACCOUNTS, Permission.READ_REPORTS, Permission.READ_AUDIT}


class Decision(Enum):
    ALLOWED = 200
    FORBIDDEN = 403
    NOT_FOUND = 404


@dataclass(frozen=True)
class Who:
    """What the table needs to know about the account asking."""

    account_id: UUID
    role: Role
    hub_ids: frozenset[str]


@dataclass(frozen=True)
class Target:
    """What is being acted on: its hub (if any) and its owner (if it has one)."""

    hub_id: UUID | None = None
    owner_id: UUID | None = None


def _within(who: Who, scope: Scope, target: Target) -> bool:
    in_hub = target.hub_id is None or str(target.hub_id) in who.hub_ids
    if scope is Scope.ANY:
        return True
    if scope is Scope.HUB:
        return in_hub
    return in_hub and target.owner_id == who.account_id


def decide(who: Who, permission: Permission, target: Target = Target()) -> Decision:
    """Allowed, forbidden, or not found (the target is in a hub `who` cannot see)."""
    if not _within(who, TABLE[Permission.READ].get(who.role, Scope.OWN), Target(target.hub_id)):
        return Decision.NOT_FOUND
    scope = TABLE[permission].get(who.role)
    if scope is None or not _within(who, scope, target):
        return Decision.FORBIDDEN
    return Decision.ALLOWED
