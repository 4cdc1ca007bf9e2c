"""Commands on accounts, hubs and sessions."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain import Account, Actor, Hub, HubLifecycle, Role, RuleBroken, Username
from domain.account import check_password_rule
from domain.clock import new_id
from service.app.application import CoproduceBase
from service.app.authorization import Permission as P, Target
from service.app.people_queries import Person, every_person, people_of_hub


class AccountCommands(CoproduceBase):
    """Accounts, hubs and sessions: each decided by the authorization table, but for the two steps an
    operator takes on the store itself (the first admin, and a password set from the command line)."""

    def register_first_admin(self, username: str, name: str, contact: str = "") -> UUID:
        """Operator only (`coproduce init`, `coproduce demo`): the first admin of an empty store."""
        if self.recorder.max_notification_id():
            raise RuleBroken("the store already holds data: accounts are opened by an admin")
        return self._register(username, Role.ADMIN, name, contact, None)

    def register_account(self, username: str, role: Role, name: str, contact: str, actor: Actor) -> UUID:
        """Register a person (admins)."""
        return self._register(username, role, name, contact, self.authorize(actor, P.MANAGE_ACCOUNTS))

    def _register(self, username: str, role: Role, name: str, contact: str, actor: Actor | None) -> UUID:
        account, claim = self._new_account(username, role, name, contact, actor)
        self._save(account, claim, conflict=f"the username {account.username!r} is already taken")
        return account.id

    def _new_account(self, username: str, role: Role, name: str, contact: str,
                     actor: Actor | None) -> tuple[Account, Username]:
        account_id = new_id()
        actor = actor or Actor(account_id, Role(role))
        account = Account.register(account_id, username, role, self.sealed(account_id, name, "name"),
                                   self.sealed(account_id, contact, "contact"), actor)
        return account, Username(username=account.username, account_id=account_id, actor=actor.as_dict())

    def open_account(self, username: str, role: Role, name: str, contact: str, actor: Actor,
                     password: str | None = None, hub_ids: list[UUID] = ()) -> UUID:
        """Register a person, set their password and add them to hubs (managers manage them), in
        one save: a request that fails half-way leaves no account without its hubs."""
        actor = self.authorize(actor, P.MANAGE_ACCOUNTS)
        manages = Role(role) == Role.HUB_MANAGER
        hubs = [self.readable_hub(hub_id, actor, P.MANAGE_HUBS) if manages else self.hub(hub_id)
                for hub_id in dict.fromkeys(hub_ids)]
        if password is not None:
            check_password_rule(password)
        account, claim = self._new_account(username, role, name, contact, actor)
        for hub in hubs:
            if manages:
                hub.assign_manager(account.id, actor)
            account.join_hub(hub.id, actor)
        if password is not None:  # first: an account saved without the password asked for could not sign in
            self.credentials.set_password(account.id, password)
        self._save(account, claim, *(hubs if manages else ()),
                   conflict=f"the username {account.username!r} is already taken")
        return account.id

    def forget(self, account_id: UUID, requested_by: str, authority: str, actor: Actor) -> None:
        """Crypto-shred a person: destroy their key, record why, and scrub what holds their words.

        The events stay (the audit trail and its hash chain are untouched); everything sealed
        with the key becomes unreadable, and read models show it as erased. Nobody forgets
        themselves, and the last admin is never forgotten."""
        actor = self.authorize(actor, P.FORGET)
        account = self.account(account_id)
        if account.id == actor.account_id:
            raise RuleBroken("nobody can forget themselves: ask another admin")
        self._keep_an_admin(account)
        if account.forgotten and self.keys.key_for(account_id) is None:
            raise RuleBroken("this person has already been forgotten")
        if not account.forgotten:  # a forget cut short before its key went is finished here
            self._change(Account, account_id, "account", lambda a: a.forget(requested_by, authority, actor))
        self.keys.destroy(account_id)
        self.credentials.remove(account_id)
        self.forget_hooks_run(account_id)

    def _keep_an_admin(self, account: Account) -> None:
        """Refuse to take away the last admin who can still act."""
        if account.role != Role.ADMIN or account.forgotten:
            return
        others = [a for a in self._accounts() if a.role == Role.ADMIN and not a.forgotten and a.id != account.id]
        if not others:
            raise RuleBroken(f"{account.username} is the last admin: make another admin first")

    def forget_hooks_run(self, account_id: UUID) -> None:
        """Bring the read models up to date, then let the adapters make deleted bytes go (and blank
        any stored API answer an earlier release kept whole, which may quote the person)."""
        self.projections.catch_up()
        for hook in self.wiring.after_forget:
            hook(account_id)

    def all_accounts(self, actor: Actor) -> list[Person]:
        """Every account, in the order they were registered (admins and auditors), from the accounts list."""
        self.authorize(actor, P.READ_ACCOUNTS)
        return every_person(self.read_models())

    def _accounts(self) -> list[Account]:
        """Every account as it now stands in the store, to decide a write by (the list of ids comes
        from the accounts list, the accounts themselves from the store)."""
        return [self.account(person.id) for person in every_person(self.read_models())]

    def account_seen_by(self, account_id: UUID, actor: Actor) -> Account:
        """One account: your own, or anyone's for admins and auditors."""
        if UUID(str(account_id)) != actor.account_id:
            self.authorize(actor, P.READ_ACCOUNTS)
        return self.account(account_id)

    def possible_owners(self, issue_id: UUID, actor: Actor) -> list[Person]:
        """Who may own an action on the issue: its hub's action owners and managers (for those who commit)."""
        hub_id = self.hub_of(issue_id)  # the issue is not copied to find its hub
        self.authorize(actor, P.READ, Target(hub_id), hidden=f"no issue with id {issue_id}")
        self.authorize(actor, P.COMMIT_ACTION, Target(hub_id))
        return people_of_hub(self.read_models(), hub_id, (Role.ACTION_OWNER, Role.HUB_MANAGER))

    def hub_experts(self, hub_id: UUID, actor: Actor) -> list[Person]:
        """The experts of a hub, for those who record what they said at a session."""
        self.readable_hub(hub_id, actor, P.RECORD_SESSION)
        return people_of_hub(self.read_models(), hub_id, (Role.EXPERT,))

    def join_hub(self, account_id: UUID, hub_id: UUID, actor: Actor) -> None:
        """Add a person to a hub. A hub manager manages every hub they belong to, so one joins a hub
        as one of its managers, recorded on the hub too (as `open_account` and `assign_manager` do):
        the hub's list of managers never disagrees with what its managers may do."""
        actor = self.authorize(actor, P.MANAGE_ACCOUNTS)
        hub, account = self.hub(hub_id), self.account(account_id)
        if account.role == Role.HUB_MANAGER:
            self.authorize(actor, P.MANAGE_HUBS)
            account.join_hub(hub_id, actor)
            hub.assign_manager(account_id, actor)
            self._save(account, hub)
            return
        self._change(Account, account_id, "account", lambda a: a.join_hub(hub_id, actor))

    def assign_role(self, account_id: UUID, role: Role, actor: Actor) -> None:
        """Give a person another role. Made a hub manager, they manage the hubs they belong to,
        recorded on each hub (see `join_hub`)."""
        actor = self.authorize(actor, P.MANAGE_ACCOUNTS)
        account = self.account(account_id)
        if Role(role) != Role.ADMIN:
            self._keep_an_admin(account)
        account.assign_role(role, actor)
        hubs = [self.hub(hub_id) for hub_id in account.hub_ids] if account.role == Role.HUB_MANAGER else []
        if hubs:
            self.authorize(actor, P.MANAGE_HUBS)
        for hub in hubs:
            if str(account.id) not in hub.manager_ids:
                hub.assign_manager(account.id, actor)
        self._save(account, *hubs)

    def create_hub(self, name: str, area: str, lifecycle: HubLifecycle, actor: Actor,
                   opened_on: date | None = None) -> UUID:
        actor = self.authorize(actor, P.MANAGE_HUBS)
        hub = Hub.create(name, area, lifecycle, actor)
        if hub.name.casefold() in {known.casefold() for known in self.known_ids()[0].values()}:
            raise RuleBroken(f"a hub called {hub.name!r} already exists")  # hubs are told apart by name everywhere
        if opened_on is not None:
            hub.record_opening(opened_on, actor)
        self._save(hub)
        return hub.id

    def record_hub_opening(self, hub_id: UUID, opened_on: date, actor: Actor) -> None:
        """Record (or correct) the day a hub started."""
        self.readable_hub(hub_id, actor)
        actor = self.authorize(actor, P.MANAGE_HUBS)
        self._change(Hub, hub_id, "hub", lambda h: h.record_opening(opened_on, actor))

    def advance_hub_lifecycle(self, hub_id: UUID, to: HubLifecycle, actor: Actor) -> None:
        self.readable_hub(hub_id, actor)
        actor = self.authorize(actor, P.MANAGE_HUBS)
        self._change(Hub, hub_id, "hub", lambda h: h.advance_lifecycle(to, actor))

    def assign_manager(self, hub_id: UUID, account_id: UUID, actor: Actor) -> None:
        """Make a hub manager's account manage a hub (and so be a member of it)."""
        self.readable_hub(hub_id, actor)
        actor = self.authorize(actor, P.MANAGE_HUBS)
        hub, account = self.hub(hub_id), self.account(account_id)
        if account.role != Role.HUB_MANAGER:
            raise RuleBroken(f"{account.username} is not a hub manager")
        hub.assign_manager(account_id, actor)
        if str(hub_id) not in account.hub_ids:
            account.join_hub(hub_id, actor)
        self._save(hub, account)

    def record_session(self, hub_id: UUID, actor: Actor, expected_version: int | None = None, **session: Any) -> UUID:
        """Record a meeting, drop-in, workshop or webinar of a hub (its facilitators and managers).
        `expected_version`: the hub as the form showed it, so that a form sent twice records once."""
        self.readable_hub(hub_id, actor)
        actor = self.authorize(actor, P.RECORD_SESSION, Target(hub_id))
        return self._change(Hub, hub_id, "hub", lambda h: h.record_session(actor=actor, **session), expected_version)
