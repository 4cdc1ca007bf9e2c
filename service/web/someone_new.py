"""Someone new, for facilitators: input from a person without an account in the session form, their
receipt (shown once, to print, and as a PDF), a new code for a lost receipt, and a full account later."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import render_template, request, url_for
from marshmallow import Schema, ValidationError, fields, validate

from domain import Hub
from projections.times import now
from service.app import schemas as s
from service.app.authorization import Permission as P
from service.web.blueprint import acting, web
from service.web.form_page import form_page
from service.web.forms import Field
from service.web.signin import coproduce
from service.web.slips import pdf_answer, qr_data_url, site_address
from service.web.wording import YES_NO

NEW = "new"
NEW_OPTION = (NEW, "Someone new, without an account")
SOMEONE_NEW = [
    Field("new_name", "If it was someone new: their first name or a nickname (you can leave this empty)",
          hint="Only if they want to give one. A name they did not give is never shown."),
    Field("keep_copy", "If it was someone new: do they want their words printed on their receipt?", "radios",
          options=YES_NO),
]


def someone_or_new(value: str) -> None:
    """An expert's id, or "someone new"."""
    if value != NEW:
        try:
            UUID(value)
        except ValueError:
            raise ValidationError("Choose an expert, or someone new") from None


def slip(code: str, keep_copy: bool) -> dict[str, Any]:
    """What a receipt shows: the hub, the day, what they said (if they keep a copy), the code and its QR code;
    of their input, what the application lets the one printing it list (`Newcomers.receipt`)."""
    tracked = coproduce().receipt(code, acting())
    address = site_address("web.track_code", code=code)
    return {"code": code, "hub": tracked.hub_name, "on": now().date(), "keep_copy": keep_copy,
            "stories": tracked.page.stories, "summaries": tracked.summaries, "address": address,
            "track": site_address("web.track"), "qr": qr_data_url(address)}


def receipts_page(hub: Hub, receipts: list[dict[str, Any]], next_step: str):
    """The receipts of the people just welcomed: the only time their codes are shown (never stored whole).
    `next_step`: the session form's next step, once the receipts are printed."""
    return render_template("web/receipts.jinja", hub=hub, slips=[slip(r["code"], r["keep_copy"]) for r in receipts],
                           next_step=next_step)


class ReceiptIn(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    keep_copy = fields.Boolean(load_default=False)


@web.post("/receipts/print")
def receipt_pdf():
    """A receipt as an A6 PDF, from its code (the application checks the code is live)."""
    try:
        data = ReceiptIn().load({k: v for k, v in request.form.items() if k in ReceiptIn().fields})
    except ValidationError:
        return render_template("web/error.jinja", title="That form could not be sent", status=422,
                               detail="The receipt's code was missing. Go back and try again."), 422
    html = render_template("web/receipt_print.jinja", slip=slip(data["code"], data["keep_copy"]))
    return pdf_answer(html, "receipt.pdf")


@web.route("/hubs/<uuid:hub_id>/someone-new")
def people_new_to(hub_id: UUID):
    hub = coproduce().readable_hub(hub_id, acting(), P.WELCOME)
    return render_template("web/someone_new.jinja", hub=hub, people=coproduce().people_new_to(hub_id, acting()))


@web.route("/someone-new/<uuid:account_id>/new-code", methods=["GET", "POST"])
def new_code(account_id: UUID):
    account = coproduce().someone_new(account_id, acting())
    hub = coproduce().hub(UUID(account.hub_ids[0]))
    if request.method == "POST":
        return receipts_page(hub, [{"code": coproduce().reissue_code(account_id, acting()), "keep_copy": False}],
                            url_for("web.hub_board", hub_id=hub.id))
    return render_template("web/new_code.jinja", hub=hub, name=coproduce().display_name(account_id))


LINK = [Field("username", "Username they chose", hint="Letters, digits, dots, dashes or underscores."),
        Field("password", "Password they chose", "password", hint="At least 12 characters."),
        Field("agreed", "They agree to link what they said to this account", "checkboxes",
              options=(("yes", "Yes, they told me they agree"),))]


class LinkIn(Schema):
    username = s.line()
    password = fields.String(required=True, validate=s.PASSWORD)
    agreed = fields.List(fields.String(validate=validate.OneOf(["yes"], error="must be ticked")), required=True,
                         validate=validate.Length(min=1, error="must be ticked"))


@web.route("/someone-new/<uuid:account_id>/full-account", methods=["GET", "POST"])
def full_account(account_id: UUID):
    account = coproduce().someone_new(account_id, acting())
    hub_id = account.hub_ids[0]
    return form_page(lambda: LINK, LinkIn(), lambda data: (coproduce().link_to_full_account(
        account_id, data["username"], data["password"], bool(data["agreed"]), acting()) or
        url_for("web.people_new_to", hub_id=hub_id)),
        done="they have a full account now: they can sign in with it", page=lambda: {
            "title": f"Give {coproduce().display_name(account_id)} a full account", "submit": "Link to a full account",
            "back": url_for("web.people_new_to", hub_id=hub_id)})
