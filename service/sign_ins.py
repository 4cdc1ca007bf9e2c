"""Passwords, signing in and API tokens: the application's side of credentials."""

from __future__ import annotations

from uuid import UUID

from domain import Account, DomainError, NotFound, RuleBroken
from service.application import CoproduceBase
from service.credentials import MIN_PASSWORD_LENGTH


class NotSignedIn(DomainError):
    """Wrong username or password (which of the two is not said)."""


class SignIns(CoproduceBase):
    """Passwords and tokens."""

    def set_password(self, account_id: UUID, password: str) -> None:
        """Set (or replace) the password an account signs in with."""
        self.account(account_id)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise RuleBroken(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
        self.credentials.set_password(account_id, password)

    def sign_in(self, username: str, password: str) -> Account:
        """The account, if the password is right; the same refusal for every wrong guess."""
        try:
            account = self.account_by_username(username)
        except (NotFound, RuleBroken):
            account = None
        if account is None or not self.credentials.check_password(account.id, password):
            raise NotSignedIn("username or password is not right")
        return account

    def issue_token(self, username: str, password: str, label: str) -> tuple[Account, UUID, str]:
        """Sign in and get a new API token (its id and its secret, shown once)."""
        account = self.sign_in(username, password)
        token_id, secret = self.credentials.issue_token(account.id, label)
        return account, token_id, secret
