"""Accounts: the people who use Coproduce, their role and their hubs."""

from __future__ import annotations

import re
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.clock import TimedAggregate
from domain.actors import Actor, Role
from domain.errors import RuleBroken, choice
from domain.text import shows_something


MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200


def check_password_rule(password: str) -> None:
    """The one rule a password must keep; RuleBroken naming it otherwise."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise RuleBroken(f"password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters long")


class Account(TimedAggregate):
    """A person known to Coproduce; `name` and `contact` are sealed with their own key."""

    @event("Registered")
    def __init__(self, id: UUID, username: str, role: str, name: str, contact: str,
                 actor: dict) -> None:
        self.username = username
        self._role = role
        self.name = name
        self.contact = contact
        self.hub_ids: list[str] = []
        self.forgotten = False

    @classmethod
    def register(cls, account_id: UUID, username: str, role: Role, name: str, contact: str,
                 actor: Actor) -> Account:
        """Register a person; `name` and `contact` arrive already sealed with the key
        of `account_id`, which is why the id is chosen before the account exists."""
        return cls(id=account_id, username=new_username(username), role=choice(Role, role, "role").value,
                   name=name, contact=contact, actor=actor.as_dict())

    @property
    def role(self) -> Role:
        return Role(self._role)

    def as_actor(self) -> Actor:
        return Actor(self.id, self.role)

    def forget(self, requested_by: str, authority: str, actor: Actor) -> None:
        """Record that this person's personal data was erased (their key destroyed).

        `requested_by` says who asked (the person, or someone on their behalf) and
        `authority` on what basis; both are audit facts, not personal content."""
        if self.forgotten:
            raise RuleBroken("this person has already been forgotten")
        if not requested_by.strip() or not authority.strip():
            raise RuleBroken("who asked, and on whose authority, are both required")
        self._forgotten(requested_by=requested_by.strip(), authority=authority.strip(), actor=actor.as_dict())

    @event("Forgotten")
    def _forgotten(self, requested_by: str, authority: str, actor: dict) -> None:
        self.forgotten = True

    def give_copy(self, requested_by: str, actor: Actor) -> None:
        """Record that a copy of everything held about this person was given, and at whose request
        (the person signed in, or a request on paper an admin acted on): an audit fact, not personal content."""
        if self.forgotten:
            raise RuleBroken("this person has been forgotten: their personal data can no longer be read")
        if not shows_something(requested_by):
            raise RuleBroken("who asked for the copy is required")
        self._copy_given(requested_by=requested_by.strip(), actor=actor.as_dict())

    @event("CopyGiven")
    def _copy_given(self, requested_by: str, actor: dict) -> None:
        """Nothing changes on the account: the event is the record that a copy went out."""

    def join_hub(self, hub_id: UUID, actor: Actor) -> None:
        """Make this account a member of a hub."""
        if str(hub_id) in self.hub_ids:
            raise RuleBroken(f"{self.username} is already a member of that hub")
        self._hub_joined(hub_id=hub_id, actor=actor.as_dict())

    @event("HubJoined")
    def _hub_joined(self, hub_id: UUID, actor: dict) -> None:
        self.hub_ids.append(str(hub_id))

    def assign_role(self, role: Role, actor: Actor) -> None:
        """Give the account a different role."""
        role = choice(Role, role, "role")
        if role == self.role:
            raise RuleBroken(f"{self.username} already has the role {role.value}")
        self._role_assigned(role=role.value, actor=actor.as_dict())

    @event("RoleAssigned")
    def _role_assigned(self, role: str, actor: dict) -> None:
        self._role = role

    # --- someone new: input without an account, followed by a tracking code ------------

    newcomer = False  # welcomed at a drop-in without an account (class defaults: older snapshots lack them)
    tracking_code_hash: str | None = None  # the hash of their live tracking code, never the code

    @classmethod
    def welcome(cls, account_id: UUID, hub_id: UUID, name: str, actor: Actor) -> Account:
        """Someone new, met at one of a hub's sessions: an expert of the hub with no username or password
        of their own yet (`name`, sealed with their key, is what they gave: a first name, a nickname or
        nothing)."""
        account = cls(id=account_id, username=f"new-{account_id.hex[:12]}", role=Role.EXPERT.value, name=name,
                      contact="", actor=actor.as_dict())
        account.join_hub(hub_id, actor)
        account._welcomed(actor=actor.as_dict())
        return account

    @event("WelcomedWithoutAccount")
    def _welcomed(self, actor: dict) -> None:
        self.newcomer = True

    def give_tracking_code(self, code_hash: str, actor: Actor) -> None:
        """Give this person a tracking code (again: the code they had stops working)."""
        if not self.newcomer:
            raise RuleBroken("tracking codes are for people who have no account of their own")
        if self.forgotten:
            raise RuleBroken("this person asked to be forgotten")
        self._tracking_code_given(code_hash=code_hash, actor=actor.as_dict())

    @event("TrackingCodeGiven")
    def _tracking_code_given(self, code_hash: str, actor: dict) -> None:
        self.tracking_code_hash = code_hash

    def link_to_full_account(self, username: str, actor: Actor) -> None:
        """With the person's word, make them a full account under a username of their own (their input,
        consent choices and tracking code stay theirs)."""
        if not self.newcomer:
            raise RuleBroken(f"{self.username} already has a full account")
        if self.forgotten:
            raise RuleBroken("this person asked to be forgotten")
        self._linked(username=new_username(username), actor=actor.as_dict())

    @event("LinkedToFullAccount")
    def _linked(self, username: str, actor: dict) -> None:
        self.username = username
        self.newcomer = False


_NEW_USERNAME = re.compile(r"[a-z0-9._-]{1,64}")


def normalise_username(username: str) -> str:
    """A username as it is looked up: case and spaces around it do not count."""
    return username.strip().lower()


def new_username(username: str) -> str:
    """A username as it may be given: plain letters a to z, so that none can pass for another (a
    Cyrillic "а" in "аdmin", full-width "ｓａｍ") and everyone can type it."""
    name = normalise_username(username)
    if not _NEW_USERNAME.fullmatch(name):
        raise RuleBroken("username must be 1 to 64 letters a to z, digits, dots, dashes or underscores")
    return name


class Username(TimedAggregate):
    """Claims a username for one account; its id is derived from the name, so a
    second claim on the same name collides in the store instead of duplicating it."""

    @staticmethod
    def create_id(username: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"coproduce:username:{normalise_username(username)}")

    @event("Claimed")
    def __init__(self, username: str, account_id: UUID, actor: dict) -> None:
        self.account_id = account_id
