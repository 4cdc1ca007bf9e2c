"""Commands on accounts, hubs and sessions."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from domain import Account, Actor, Hub, HubLifecycle, Role, RuleBroken, Username
from service.application import CoproduceBase


class AccountCommands(CoproduceBase):
    """Accounts, hubs and sessions."""

    def register_account(self, username: str, role: Role, name: str, contact: str,
                         actor: Actor | None = None) -> UUID:
        """Register a person; with no actor, the person registers themselves (first admin)."""
        account_id = uuid4()
        actor = actor or Actor(account_id, Role(role))
        account = Account.register(account_id, username, role, self.sealer.seal(account_id, name),
                                   self.sealer.seal(account_id, contact), actor)
        claim = Username(username=account.username, account_id=account_id, actor=actor.as_dict())
        self._save(account, claim, conflict=f"the username {account.username!r} is already taken")
        return account_id

    def join_hub(self, account_id: UUID, hub_id: UUID, actor: Actor) -> None:
        self.hub(hub_id)
        self._change(Account, account_id, "account", lambda a: a.join_hub(hub_id, actor))

    def assign_role(self, account_id: UUID, role: Role, actor: Actor) -> None:
        self._change(Account, account_id, "account", lambda a: a.assign_role(role, actor))

    def create_hub(self, name: str, area: str, lifecycle: HubLifecycle, actor: Actor) -> UUID:
        hub = Hub.create(name, area, lifecycle, actor)
        self._save(hub)
        return hub.id

    def advance_hub_lifecycle(self, hub_id: UUID, to: HubLifecycle, actor: Actor) -> None:
        self._change(Hub, hub_id, "hub", lambda h: h.advance_lifecycle(to, actor))

    def assign_manager(self, hub_id: UUID, account_id: UUID, actor: Actor) -> None:
        """Make a hub manager's account manage a hub (and so be a member of it)."""
        hub, account = self.hub(hub_id), self.account(account_id)
        if account.role != Role.HUB_MANAGER:
            raise RuleBroken(f"{account.username} is not a hub manager")
        hub.assign_manager(account_id, actor)
        if str(hub_id) not in account.hub_ids:
            account.join_hub(hub_id, actor)
        self._save(hub, account)

    def record_session(self, hub_id: UUID, actor: Actor, **session: Any) -> UUID:
        return self._change(Hub, hub_id, "hub", lambda h: h.record_session(actor=actor, **session))
