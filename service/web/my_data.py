"""Everything we hold about you: a person's copy of their data as a page and a PDF, and the admin's
action for a request made on paper. Each calls one application method, which records the request."""

from __future__ import annotations

from uuid import UUID

from flask import Response, abort, render_template, request, url_for

from service.app import schemas as s
from service.web.blueprint import acting, web
from service.web.forms import Field, FormInvalid, read
from service.web.printing import pdf_from
from service.web.signin import coproduce
from service.web.wording import HISTORY_SAID

PAPER = [Field("requested_by", "Who asked, and how?",
               hint="For example: the person, by letter of 3 May 2026. This is kept in the audit trail, "
                    "so do not write their name.")]


@web.route("/my-data")
def my_data():
    return render_template("web/my_data.jinja", held=coproduce().data_held(acting(), sentences=HISTORY_SAID))


@web.route("/my-data.pdf")
def my_data_pdf():
    return _pdf(coproduce().data_held(acting(), sentences=HISTORY_SAID), "my-data")


@web.route("/admin/accounts/<uuid:account_id>/copy", methods=["GET", "POST"])
def copy_for_paper_request(account_id: UUID):
    if not coproduce().may_have_copy_of(acting(), account_id):
        abort(403)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            asked = read(s.CopyIn(), request.form, PAPER)
        except FormInvalid as invalid:
            errors = invalid.errors
        else:
            held = coproduce().data_held(acting(), account_id, asked["requested_by"], sentences=HISTORY_SAID)
            return _pdf(held, str(account_id))
    return render_template("web/form.jinja", questions=PAPER, errors=errors, values=request.form, version=None,
                           title=f"A copy of everything we hold about {coproduce().display_name(account_id)}",
                           submit="Make the copy (PDF)", back=url_for("web.accounts")), 422 if errors else 200


def _pdf(held: dict, name: str) -> Response:
    pdf = pdf_from(render_template("web/my_data_print.jinja", held=held))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="coproduce-data-{name}.pdf"', "Cache-Control": "no-store"})
