"""Who is asking (a bearer token) and whether the authorization table lets them."""

from __future__ import annotations

import re
from uuid import UUID

from flask import current_app, g, request
from flask_smorest import abort

from domain import Account, Actor, NotFound, SystemicIssue
from service.authorization import Decision, Permission, Target, Who, decide
from service.coproduce import Coproduce

ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,12})"\s*$')


def coproduce() -> Coproduce:
    return current_app.extensions["coproduce"]


def signed_in() -> Account:
    """The account whose token came with the request, or a 401."""
    if "account" not in g:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            abort(401, message="Sign in first: send an API token as 'Authorization: Bearer <token>'.")
        account_id = coproduce().credentials.account_for_token(secret.strip())
        if account_id is None:
            abort(401, message="That API token is not valid, or has been revoked.")
        g.account = coproduce().account(account_id)
    return g.account


def who(account: Account | None = None) -> Who:
    account = account or signed_in()
    return Who(account.id, account.role, frozenset(account.hub_ids))


def allow(permission: Permission, target: Target = Target()) -> Actor:
    """The signed-in actor, if the table allows `permission` on `target`; else 404 or 403."""
    account = signed_in()
    decision = decide(who(account), permission, target)
    if decision is Decision.NOT_FOUND:
        abort(404, message="Not found.")
    if decision is Decision.FORBIDDEN:
        abort(403, message=f"Your role ({account.role.value}) may not do this here.")
    return account.as_actor()


def if_match() -> int | None:
    """The issue version the client last saw, from If-Match (None if not sent)."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    found = ETAG.match(header)
    if not found:
        abort(422, errors={"If-Match": ['must be an ETag from this API, such as "7"']})
    return int(found.group(1))


def on_issue(issue_id: UUID, permission: Permission, owner_id: UUID | None = None) -> Actor:
    """The actor allowed to do `permission` on the issue (the command loads the issue itself)."""
    hub_id = coproduce().hub_of(issue_id)
    allow(Permission.READ, Target(hub_id))
    return allow(permission, Target(hub_id, owner_id))


def readable_issue(issue_id: UUID) -> SystemicIssue:
    issue = coproduce().issue(issue_id)
    allow(Permission.READ, Target(issue.hub_id))
    return issue


def owner_of(issue: SystemicIssue, kind: str, item_id: UUID) -> UUID:
    """The owner of an item within an issue: a contribution's contributor, an action's owner."""
    if kind == "contribution":
        return UUID(issue.contributor_of(item_id))
    action = issue.actions.get(str(item_id))
    if action is None:
        raise NotFound(f"action {item_id} is not part of this issue")
    return UUID(action.owner_id)
