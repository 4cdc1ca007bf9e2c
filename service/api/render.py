"""Turns aggregates into the plain dicts the response schemas dump."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any
from uuid import UUID

from domain import Account, Hub, SystemicIssue
from domain.workflow import next_stage
from service.authorization import Who, may_read_input
from service.contributions import Contribution
from service.coproduce import Coproduce
from service.sealing import SealBroken


def account_view(app: Coproduce, account: Account) -> dict[str, Any]:
    return {"id": account.id, "username": account.username, "role": account.role.value,
            "name": app.display_name(account.id), "hub_ids": account.hub_ids}


def hub_view(hub: Hub) -> dict[str, Any]:
    return {"id": hub.id, "name": hub.name, "area": hub.area, "lifecycle": hub.lifecycle.value,
            "manager_ids": hub.manager_ids, "version": hub.version}


def _words(open_sealed: Callable[[str], str | None], contribution: Contribution,
           visible: bool) -> tuple[str | None, str]:
    if contribution.withdrawn:
        return None, "withdrawn"
    if not visible:
        return None, "not_shown"
    try:
        words = open_sealed(contribution.text)
    except SealBroken:
        return None, "erased"
    return (words, "shown") if words else (None, "erased")  # blank once its contributor is forgotten


def contribution_view(app: Coproduce, issue: SystemicIssue, contribution: Contribution, who: Who,
                      open_sealed: Callable[[str], str | None] | None = None) -> dict:
    """`open_sealed`: the opener of the answer this view is part of (`Coproduce.opener`)."""
    visible = may_read_input(who, issue.hub_id, UUID(contribution.contributor_id), contribution.may_quote)
    words, status = _words(open_sealed or app.open_sealed, contribution, visible)
    return {**dataclasses.asdict(contribution), "text": words, "text_status": status}


def issue_view(app: Coproduce, issue: SystemicIssue, who: Who) -> dict[str, Any]:
    upcoming = next_stage(issue.stage)
    open_sealed = app.opener()
    return {
        "id": issue.id, "hub_id": issue.hub_id, "title": issue.title, "stage": issue.stage.value,
        "cycle": issue.cycle, "parked_reason": issue.parked_reason,
        "framing": issue.framing and dataclasses.asdict(issue.framing),
        "selection": issue.selection and dataclasses.asdict(issue.selection),
        "contributions": [contribution_view(app, issue, c, who, open_sealed) for c in app.contributions(issue)],
        "findings": [dataclasses.asdict(f) for f in issue.findings.values()],
        "stakeholders": [dataclasses.asdict(s) for s in issue.stakeholders],
        "actions": [dataclasses.asdict(a) for a in issue.actions.values()],
        "feedback": [dataclasses.asdict(f) for f in issue.feedback.values()],
        "learnings": [dataclasses.asdict(learning) for learning in issue.learnings.values()],
        "outcome": issue.outcome, "awaiting_feedback": issue.awaiting_feedback_count,
        "next_stage": upcoming.value if upcoming else None,
        "missing_before_next": issue.missing_before(upcoming) if upcoming else [],
        "version": issue.version,
    }
