"""Passwords, signing in, API tokens and web sessions: the application's side of credentials."""

from __future__ import annotations

from uuid import UUID

from domain import Account, Actor, DomainError, NotAllowed, NotFound, RuleBroken
from domain.account import check_password_rule
from service.app.application import CoproduceBase
from service.app.authorization import Decision, Permission, Who, decide
from service.app.ports import API, WEB, TokenHolder

WEB_SESSION_LABEL = "web sign-in"


class NotSignedIn(DomainError):
    """Wrong username or password (which of the two is not said)."""


class WrongCurrentPassword(NotAllowed):
    """A password change gave a current password that is not the account's."""


class SignIns(CoproduceBase):
    """Passwords, tokens and web sessions."""

    def set_password(self, account_id: UUID, password: str) -> None:
        """For operators only (`coproduce set-password`, the demo, a new account's first password):
        set a password with nobody's say-so. People change theirs with `change_password`;
        admins reset someone's with `reset_password`."""
        self.account(account_id)
        check_password_rule(password)
        self.credentials.set_password(account_id, password)

    def change_password(self, account_id: UUID, current: str, new: str, actor: Actor,
                        keep: str | None = None) -> None:
        """A person changes their own password, giving the current one; every other API token
        and web session of theirs stops working (`keep`: the secret of the one in use)."""
        if actor.account_id != account_id:
            raise NotAllowed("only the person themselves may change their password; an admin may reset it")
        self.account(account_id)
        check_password_rule(new)
        if not self.credentials.check_password(account_id, current):
            raise WrongCurrentPassword("the current password is not right")
        self.credentials.set_password(account_id, new)
        self.credentials.revoke_all(account_id, keep=keep)

    def reset_password(self, account_id: UUID, new: str, actor: Actor) -> None:
        """An admin gives someone a new password; every token and web session of theirs ends."""
        acting = self.account(actor.account_id)
        if decide(Who(acting.id, acting.role, frozenset(acting.hub_ids)),
                  Permission.MANAGE_ACCOUNTS) is not Decision.ALLOWED:
            raise NotAllowed(f"your role ({acting.role.value.replace('_', ' ')}) may not reset passwords")
        self.account(account_id)
        check_password_rule(new)
        self.credentials.set_password(account_id, new)
        self.credentials.revoke_all(account_id)

    def sign_in(self, username: str, password: str) -> Account:
        """The account, if the password is right; the same refusal, after the same work, for
        every wrong guess (an unknown username included)."""
        try:
            account = self.account_by_username(username)
        except (NotFound, RuleBroken):
            account = None
        if not self.credentials.check_password(account.id if account else None, password):
            raise NotSignedIn("username or password is not right")
        return account

    def issue_token(self, username: str, password: str, label: str) -> tuple[Account, UUID, str]:
        """Sign in and get a new API token (its id and its secret, shown once)."""
        account = self.sign_in(username, password)
        token_id, secret = self.credentials.issue_token(account.id, label, API)
        return account, token_id, secret

    def open_web_session(self, username: str, password: str) -> tuple[Account, UUID, str]:
        """Sign in on the web pages: a web session (its id and secret) that is no API token."""
        account = self.sign_in(username, password)
        session_id, secret = self.credentials.issue_token(account.id, WEB_SESSION_LABEL, WEB)
        return account, session_id, secret

    def account_for_api_token(self, secret: str) -> Account | None:
        """The account a live API token belongs to, or None."""
        return self.account_of(self.credentials.token_holder(secret, API))

    def account_of(self, holder: TokenHolder | None) -> Account | None:
        """The account a token check found, or None; the log is not asked again for an account held
        in memory at the version the check saw."""
        return self._get(Account, holder.account_id, "account", as_of=holder.history) if holder else None

    def tokens_of(self, actor: Actor) -> list[dict]:
        """The acting person's own tokens and web sessions (never their secrets)."""
        return [{**token, "account_id": actor.account_id} for token in self.credentials.tokens_of(actor.account_id)]

    def revoke_token(self, actor: Actor, token_id: UUID) -> bool:
        """End one of the acting person's own tokens or web sessions; False if they have no live one by that id."""
        return self.credentials.revoke(actor.account_id, token_id)

    def account_for_web_session(self, secret: str) -> Account | None:
        """The account a live web session belongs to, or None."""
        return self.account_of(self.credentials.token_holder(secret, WEB))
