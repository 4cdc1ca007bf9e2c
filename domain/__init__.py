"""Coproduce's domain: systemic issues, hubs and accounts, and the workflow rules."""

from domain.account import Account, Username
from domain.actors import Actor, Role
from domain.errors import (
    ConflictError, DomainError, IssueClosed, NotAllowed, NotFound, RuleBroken, StageRefused, StaleVersion,
)
from domain.hub import Hub, HubLifecycle, SessionFormat
from domain.issue import SystemicIssue
from domain.participation import ParticipationLevel
from domain.priorities import PriorityRound
from domain.records import Attribution, Channel
from domain.tracking import TrackingCode
from domain.workflow import Stage

__all__ = [
    "Account", "Actor", "Attribution", "Channel", "ConflictError", "DomainError", "Hub",
    "HubLifecycle", "IssueClosed", "NotAllowed", "NotFound", "ParticipationLevel", "PriorityRound", "Role",
    "RuleBroken", "SessionFormat", "Stage", "StageRefused", "StaleVersion", "SystemicIssue", "TrackingCode",
    "Username",
]
