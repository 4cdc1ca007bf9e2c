"""/api/v1/accounts and /api/v1/tokens: people, their roles and hubs, and signing in."""

from __future__ import annotations

from uuid import UUID

from flask import Response, request, url_for
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from domain import Actor
from service.api.blueprint import Blueprint

from service.app import schemas as s
from service.api import views as v
from service.api.access import actor, coproduce, signed_in
from service.api.issues import LOCATION, documented
from service.api.paging import page_of
from service.app.presenters import account_view

blp = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts and API tokens")

ACCOUNT = "/accounts/<uuid:account_id>"
NEW_PASSWORD = s.PASSWORD


class PasswordChangeIn(Schema):
    """Your own password: the current one and the new one. Someone else's (admins): the new one."""

    current_password = fields.String(validate=validate.Length(min=1, max=200), load_only=True,
                                     metadata={"description": "Needed to change your own password."})
    password = fields.String(required=True, validate=NEW_PASSWORD, load_only=True)


@blp.route("/tokens", methods=["POST"])
@blp.arguments(s.TokenIn)
@blp.response(201, v.TokenOut, headers=LOCATION)
@documented(401, 413, 429)
def sign_in(payload):
    """Sign in with a username and password; answers the new API token, with its secret (shown once)."""
    account, token_id, secret = coproduce().issue_token(payload["username"], payload["password"], payload["label"])
    return ({**_token_of(account.as_actor(), token_id), "token": secret}, 201,
            {"Location": url_for("accounts.get_token", token_id=token_id)})


def _token_of(person: Actor, token_id: UUID) -> dict:
    """One of the person's tokens, as GET /tokens/{id} shows it; 404 if they have none with that id."""
    for token in coproduce().tokens_of(person):
        if token["id"] == token_id:
            return token
    abort(404, message="You have no token with that id.")


@blp.route("/tokens", methods=["GET"])
@blp.response(200, v.TokenInfoOut(many=True))
@documented(401, 429)
def list_tokens():
    """Your API tokens (never their secrets)."""
    return coproduce().tokens_of(actor())


@blp.route("/tokens/<uuid:token_id>", methods=["GET"])
@blp.response(200, v.TokenInfoOut)
@documented(401, 404, 429)
def get_token(token_id):
    """One of your API tokens (never its secret)."""
    return _token_of(actor(), token_id)


@blp.route("/tokens/<uuid:token_id>", methods=["DELETE"])
@blp.response(204)
@documented(401, 404, 429)
def revoke_token(token_id):
    """Revoke one of your API tokens."""
    if not coproduce().revoke_token(actor(), token_id):
        abort(404, message="You have no live token with that id.")


@blp.route("/me", methods=["GET"])
@blp.response(200, v.AccountOut)
@documented(401, 429)
def me():
    """The account you are signed in as."""
    return account_view(coproduce(), signed_in())


@blp.route("/accounts", methods=["GET"])
@blp.response(200, v.AccountOut(many=True))
@blp.paginate()
@documented(401, 403, 429)
def list_accounts(pagination_parameters):
    """Every account (admins and auditors)."""
    accounts = coproduce().all_accounts(actor())
    return [account_view(coproduce(), a) for a in page_of(accounts, pagination_parameters)]


@blp.route("/accounts", methods=["POST"])
@blp.arguments(s.AccountIn)
@blp.response(201, v.AccountOut, headers=LOCATION)
@documented(401, 403, 404, 409, 413, 429)
def create_account(payload):
    """Register a person with a role, a password and hubs (admins)."""
    account_id = coproduce().open_account(actor=actor(), **payload)
    return (account_view(coproduce(), coproduce().account(account_id)), 201,
            {"Location": url_for("accounts.get_account", account_id=account_id)})


@blp.route(ACCOUNT, methods=["GET"])
@blp.response(200, v.AccountOut)
@documented(401, 403, 404, 429)
def get_account(account_id):
    """One account (admins and auditors, or your own)."""
    return account_view(coproduce(), coproduce().account_seen_by(account_id, actor()))


@blp.route(ACCOUNT + "/role", methods=["POST"])
@blp.arguments(s.RoleIn)
@blp.response(200, v.AccountOut)
@documented(401, 403, 404, 409, 413, 429)
def assign_role(payload, account_id):
    """Give an account another role (admins)."""
    coproduce().assign_role(account_id, payload["role"], actor())
    return account_view(coproduce(), coproduce().account(account_id))


@blp.route(ACCOUNT + "/hubs", methods=["POST"])
@blp.arguments(s.MembershipIn)
@blp.response(200, v.AccountOut)
@documented(401, 403, 404, 409, 413, 429)
def join_hub(payload, account_id):
    """Add an account to a hub (admins)."""
    coproduce().join_hub(account_id, payload["hub_id"], actor())
    return account_view(coproduce(), coproduce().account(account_id))


@blp.route(ACCOUNT + "/password", methods=["POST"])
@blp.arguments(PasswordChangeIn)
@blp.response(204)
@documented(401, 403, 404, 409, 413, 429)
def set_password(payload, account_id: UUID):
    """Change your own password (with your current one): your other tokens and web sessions end.
    Admins reset someone else's with the new password alone: all of that person's end."""
    account = signed_in()
    if account_id != account.id:
        coproduce().reset_password(account_id, payload["password"], account.as_actor())
    elif "current_password" not in payload:
        abort(422, errors={"json": {"current_password": ["Give your current password to change it."]}})
    else:
        coproduce().change_password(account_id, payload["current_password"], payload["password"],
                                    account.as_actor(), keep=_bearer_secret())


def _bearer_secret() -> str:
    """The secret of the token this request came with (signed_in() has checked it)."""
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


@blp.route(ACCOUNT + "/forget", methods=["POST"])
@blp.arguments(s.ForgetIn)
@blp.response(200, v.AccountOut)
@documented(401, 403, 404, 409, 413, 429)
def forget(payload, account_id):
    """Forget a person (admins): their key is destroyed and their words become unreadable for good."""
    coproduce().forget(account_id, actor=actor(), **payload)
    return account_view(coproduce(), coproduce().account(account_id))


COPY = {200: {"description": "Everything held about the person, as the disclosure policy lets them see it: "
                             "account, input with its fate and feedback, ratings, and the history of every "
                             "act by them or about them (streamed)",
              "content": {"application/json": {"schema": {"type": "object"}}}}}


def _copy(lines, person: str):
    return Response(lines, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="coproduce-data-{person}.json"',
                             "Cache-Control": "no-store"})


@blp.route("/me/data", methods=["GET"])
@blp.doc(responses=COPY)
@documented(401, 429)
def my_data():
    """A copy of everything Coproduce holds about you (recorded in the audit trail)."""
    return _copy(coproduce().copy_of_data(actor()), "me")


@blp.route(ACCOUNT + "/data", methods=["GET"])
@blp.arguments(s.CopyIn, location="query")
@blp.doc(responses=COPY)
@documented(401, 403, 404, 409, 429)
def someones_data(query, account_id):
    """A copy of everything held about a person, for their request on paper (admins; recorded in the audit trail)."""
    return _copy(coproduce().copy_of_data(actor(), account_id, query["requested_by"]), str(account_id))
