"""Admins: hubs and accounts, and forgetting a person who asks for it."""

from __future__ import annotations

import dataclasses
from uuid import UUID

from flask import abort, render_template, url_for
from marshmallow import Schema, fields

from domain import HubLifecycle, Role
from service.app import schemas as s
from service.app.authorization import Permission as P
from service.web.blueprint import acting, web
from service.web.form_page import form_page
from service.web.forms import Field
from service.web.signin import coproduce

ROLES = tuple((role.value, role.value.replace("_", " ").capitalize()) for role in Role)
LIFECYCLES = tuple((stage.value, stage.value.replace("_", " ").capitalize()) for stage in HubLifecycle)
OPENED_ON = Field("opened_on", "When did the hub start?", "date",
                  hint="The day of its first meeting or drop-in, for example 2023-03-06. Leave it empty if it has not started.")
HUB = [Field("name", "Name of the hub"), Field("area", "Area it covers"),
       Field("lifecycle", "How far along is it?", "radios", options=LIFECYCLES), OPENED_ON]
NEW_PASSWORD = [Field("password", "New password", "password",
                     hint="At least 12 characters. Tell them what it is in person or by phone, never by email. "
                          "Any sign-ins they have now end.")]
FORGET = [Field("requested_by", "Who asked?", hint="The person themselves, or who asked for them."),
          Field("authority", "On what basis?", hint="For example: UK GDPR Article 17 request of 3 May.")]


def account_questions() -> list[Field]:
    hubs = tuple((h.hub_id, h.name) for h in coproduce().board_hubs(acting()))
    return [Field("username", "Username", hint="What they type to sign in."),
            Field("name", "Full name"), Field("contact", "Email or phone (optional)"),
            Field("role", "Role", "radios", options=ROLES),
            Field("password", "First password", hint="At least 12 characters. Tell them to keep it safe. Left empty, they "
                                                       "cannot sign in until one is set."),
            Field("hub_ids", "Hubs they belong to (managers: the hubs they manage)", "checkboxes", options=hubs)]


@web.route("/admin/accounts")
def accounts():
    me = acting()
    hubs = {h.hub_id: h.name for h in coproduce().board_hubs(me)}
    listed = [(a, ", ".join(hubs.get(str(h), "") for h in a.hub_ids) or "–") for a in coproduce().all_accounts(me)]
    return render_template("web/accounts.jinja", accounts=listed,
                           may_manage=coproduce().allows(me, P.MANAGE_ACCOUNTS),
                           may_copy=coproduce().allows(me, P.COPY_FOR_SOMEONE))


@web.route("/admin/accounts/new", methods=["GET", "POST"])
def open_account():
    actor = acting()
    if not coproduce().allows(actor, P.MANAGE_ACCOUNTS):
        abort(403)
    return form_page(account_questions, s.AccountIn(), lambda data: (
        coproduce().open_account(actor=actor, **data) and url_for("web.accounts")),
        done="the account is open", page=lambda: {"title": "Open an account", "submit": "Open the account",
                                                   "back": url_for("web.accounts")})


@web.route("/admin/hubs/new", methods=["GET", "POST"])
def create_hub():
    actor = acting()
    if not coproduce().allows(actor, P.MANAGE_HUBS):
        abort(403)
    return form_page(lambda: HUB, s.HubIn(), lambda data: url_for(
        "web.hub_board", hub_id=coproduce().create_hub(actor=actor, **data)),
        done="the hub is created", page=lambda: {"title": "Create a hub", "submit": "Create the hub",
                                                  "back": url_for("web.home")})


@web.route("/admin/hubs/<uuid:hub_id>/opened-on", methods=["GET", "POST"])
def record_hub_opening(hub_id: UUID):
    actor = acting()
    hub = coproduce().readable_hub(hub_id, actor, P.MANAGE_HUBS)  # 404 outside one's hubs, then 403, as every door
    return form_page(lambda: [dataclasses.replace(OPENED_ON, hint="The day of its first meeting or drop-in, "
                                                                  "for example 2023-03-06.")],
                     s.OpenedOnIn(), lambda data: coproduce().record_hub_opening(hub_id, actor=actor, **data) or url_for(
                         "web.hub_board", hub_id=hub_id),
                     done=f"{hub.name}'s start is recorded", page=lambda: {
                         "title": f"When {hub.name} started", "submit": "Record the day it started",
                         "back": url_for("web.hub_board", hub_id=hub_id)})


class PasswordIn(Schema):
    password = fields.String(required=True, validate=s.PASSWORD, load_only=True)  # the rule every door applies


@web.route("/admin/accounts/<uuid:account_id>/password", methods=["GET", "POST"])
def set_password(account_id: UUID):
    """An admin sets (or resets) someone's password: the application's reset decides who may."""
    actor = acting()
    if not coproduce().allows(actor, P.MANAGE_ACCOUNTS):
        abort(403)
    name = coproduce().display_name(account_id)
    return form_page(lambda: NEW_PASSWORD, PasswordIn(), lambda data: (
        coproduce().reset_password(account_id, data["password"], actor) or url_for("web.accounts")),
        done=f"{name}'s password is set. They can sign in with it now", page=lambda: {
            "title": f"Set a password for {name}", "submit": "Set the password", "back": url_for("web.accounts")})


@web.route("/admin/accounts/<uuid:account_id>/forget", methods=["GET", "POST"])
def forget(account_id: UUID):
    actor = acting()
    if not coproduce().allows(actor, P.FORGET):
        abort(403)
    name = coproduce().display_name(account_id)  # as the page names them (never a made-up username), kept from before
    return form_page(lambda: FORGET, s.ForgetIn(), lambda data: (
        coproduce().forget(account_id, actor=actor, **data) or url_for("web.accounts")),
        done=f"{name}'s personal data is erased", page=lambda: {
            "title": f"Forget {name}", "submit": "Forget this person for good",
            "back": url_for("web.accounts"),
            "warning": "This destroys the key to their words, name and contact details, signs them out and "
                       "removes their password. It cannot be undone. The record that something was said, and "
                       "when, stays in the history."})
