"""The people of a hub, and the plain list of accounts: who is in which hub, in what role, and
whether they asked to be forgotten. No names or contacts: only ids and usernames, as the
accounts' own events carry them unsealed.

The action and session forms ask "the owners, managers or experts of this hub"; the accounts
list asks "every account, in the order registered". Both read rows here, never every account.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Column, Connection, String, Table, select, update

from projections.ids import text
from projections.unit_of_work import UnitOfWork
from projections.view import View

view = View("hub_people", weight=0.05)
accounts = Table(
    "people_accounts", view.metadata,
    Column("account_id", String(36), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("hub_ids", JSON, nullable=False),  # the hubs joined, in the order joined
    Column("forgotten", Boolean, nullable=False),
    Column("registered", BigInteger, nullable=False, index=True),  # the position of Registered: the list's order
)
members = Table(
    "people_hubs", view.metadata,
    Column("hub_id", String(36), primary_key=True),
    Column("account_id", String(36), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("role", String(20), nullable=False),
    Column("forgotten", Boolean, nullable=False),
    Column("joined", Boolean, nullable=False),  # a member of the hub (Account.HubJoined)
    Column("manages", Boolean, nullable=False),  # named one of its managers (Hub.ManagerAssigned)
    Column("registered", BigInteger, nullable=False),
)


@view.on("Account.Registered")
def registered(work: UnitOfWork, e: Any, position: int) -> None:
    work.insert(accounts, {"account_id": text(e.originator_id), "username": e.username, "role": e.role,
                           "hub_ids": [], "forgotten": False, "registered": position})


def _in_hub(work: UnitOfWork, hub_id: str, account_id: str, **flag: bool) -> None:
    """The account's row in the hub, made on the first of joining or being named its manager."""
    if work.get(members, (hub_id, account_id)) is not None:
        work.update(members, (hub_id, account_id), **flag)
        return
    account = work.get(accounts, account_id)
    if account is None:  # not registered (never happens through the application): nobody to list
        return
    work.insert(members, {"hub_id": hub_id, "account_id": account_id, "username": account["username"],
                          "role": account["role"], "forgotten": account["forgotten"], "joined": False,
                          "manages": False, "registered": account["registered"], **flag})


@view.on("Account.HubJoined")
def joined(work: UnitOfWork, e: Any, _: int) -> None:
    account_id, hub_id = text(e.originator_id), text(e.hub_id)
    account = work.get(accounts, account_id)
    if account is not None:
        work.update(accounts, account_id, hub_ids=[*account["hub_ids"], hub_id])
    _in_hub(work, hub_id, account_id, joined=True)


@view.on("Hub.ManagerAssigned")
def manager_assigned(work: UnitOfWork, e: Any, _: int) -> None:
    _in_hub(work, text(e.originator_id), text(e.account_id), manages=True)


@view.on("Account.RoleAssigned")
def role_assigned(work: UnitOfWork, e: Any, _: int) -> None:
    account_id = text(e.originator_id)
    work.update(accounts, account_id, role=e.role)
    work.execute(update(members).where(members.c.account_id == account_id).values(role=e.role), members)


@view.on("Account.LinkedToFullAccount")
def linked(work: UnitOfWork, e: Any, _: int) -> None:
    """Someone new given a full account: their username is now the one they chose."""
    account_id = text(e.originator_id)
    work.update(accounts, account_id, username=e.username)
    work.execute(update(members).where(members.c.account_id == account_id).values(username=e.username), members)


@view.on("Account.Forgotten")
def forgotten(work: UnitOfWork, e: Any, _: int) -> None:
    account_id = text(e.originator_id)
    work.update(accounts, account_id, forgotten=True)
    work.execute(update(members).where(members.c.account_id == account_id).values(forgotten=True), members)


def every_account(conn: Connection) -> list[Any]:
    """Every account, forgotten ones too, in the order they were registered."""
    return list(conn.execute(select(accounts).order_by(accounts.c.registered)))


def of_hub(conn: Connection, hub_id: Any, roles: Iterable[str]) -> list[Any]:
    """The members of a hub in these roles who have not been forgotten, in the order they were
    registered, with the hubs each has joined."""
    query = (select(accounts).join(members, members.c.account_id == accounts.c.account_id)
             .where(members.c.hub_id == str(hub_id), members.c.joined.is_(True),
                    members.c.forgotten.is_(False), members.c.role.in_(list(roles)))
             .order_by(members.c.registered))
    return list(conn.execute(query))
