"""A published hub's record for the public, no sign-in: its "You said, we did" page, an Atom feed of
its changes, and a poster for the drop-in wall (A4, and a PDF). What appears is decided by the
application's disclosure policy (its public viewer); these routes only lay it out. Staff turn the
page on and off from the hub's publishing page."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError, fields

from service.app import schemas as s
from service.app.authorization import Permission as P
from service.web.blueprint import acting, web
from service.web.signin import OPEN_PAGES, coproduce
from service.web.slips import pdf_answer, qr_data_url, site_address
from service.web.wording import long_date, stage_named
from projections.times import now

OPEN_PAGES.update({"web.public_hub", "web.public_feed", "web.public_poster", "web.public_poster_pdf"})
REVALIDATE = "public, no-cache"  # caches may keep it, but ask each time: a page turned off is gone at once


@web.route("/hubs/<uuid:hub_id>/publishing", methods=["GET", "POST"])
def publishing(hub_id: UUID):
    me = acting()
    hub = coproduce().readable_hub(hub_id, me)
    if request.method == "POST":
        if request.form.get("publish") == "on":
            coproduce().publish_hub(hub_id, me)
            flash("The hub's public page is on: anyone can read it now.")
        else:
            coproduce().stop_publishing_hub(hub_id, me)
            flash("The hub's public page is off: nobody outside the hub can read it now.")
        return redirect(url_for("web.publishing", hub_id=hub_id), code=303)
    return render_template("web/publishing.jinja", hub=hub, may_publish=coproduce().allows(me, P.PUBLISH, hub_id))


def _cacheable(body: str, record: dict[str, Any], mimetype: str = "text/html"):
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Cache-Control"] = REVALIDATE
    response.set_etag(f"{record['hub']['id']}-{record['position']}")
    return response.make_conditional(request)


@web.get("/public/hubs/<uuid:hub_id>")
def public_hub(hub_id: UUID):
    record = coproduce().public_record(hub_id, max(request.args.get("page", 1, type=int), 1))
    return _cacheable(render_template("web/public_hub.jinja", record=record), record)


FEED_WORDS = {
    "Raised": lambda d, issue: f"New issue: {d['title']}",
    "SummarisedInPlainWords": lambda d, issue: f"In plain words: {d['summary']}",
    "StageAdvanced": lambda d, issue: f"Now at {stage_named(d['to'])}",
    "StageMovedBack": lambda d, issue: f"Back at {stage_named(d['to'])}",
    "ActionCommitted": lambda d, issue: f"We will: {d['title']} (by {long_date(d['due'])})",
    "ActionCompleted": lambda d, issue: f"Done: {_action(issue, d)}",
    "ActionDropped": lambda d, issue: f"Stopped: {_action(issue, d)}. Why: {d['reason']}",
    "FeedbackGiven": lambda d, issue: f"We told people: {d['message']}",
    "LearningRecorded": lambda d, issue: f"What we learnt: {d['what_changed']}",
    "Closed": lambda d, issue: f"Finished: {d['outcome']}",
}


def _action(issue: dict[str, Any], details: dict[str, Any]) -> str:
    return next((a["title"] for a in issue["actions"] if a["id"] == details["action_id"]), "an action")


@web.get("/public/hubs/<uuid:hub_id>/feed.atom")
def public_feed(hub_id: UUID):
    record = coproduce().public_feed(hub_id)
    entries = [{**e, "text": FEED_WORDS[e["kind"]](e["details"], e["issue"])} for e in record["entries"]]
    body = render_template("web/public_feed.xml", record=record, entries=entries,
                           updated=entries[0]["at"] if entries else now(),
                           page=site_address("web.public_hub", hub_id=hub_id),
                           self_url=site_address("web.public_feed", hub_id=hub_id))
    return _cacheable(body, record, "application/atom+xml")


class PeriodIn(Schema):
    start = fields.Date(load_default=None, validate=s.day_in_range())
    end = fields.Date(load_default=None, validate=s.day_in_range())


def _poster(hub_id: UUID) -> dict[str, Any]:
    try:
        period = PeriodIn().load({k: v for k, v in request.args.items() if k in ("start", "end") and v})
    except ValidationError:
        abort(422, f"The poster's dates must be real dates between {s.FIRST_DAY} and {s.LAST_DAY}, like 2024-03-27.")
    start: date | None = period["start"]
    end: date | None = period["end"]
    poster = coproduce().poster(hub_id, start, end if not start or not end or end >= start else start)
    page = site_address("web.public_hub", hub_id=hub_id)
    return {**poster, "page": page, "qr": qr_data_url(page)}


@web.get("/public/hubs/<uuid:hub_id>/poster")
def public_poster(hub_id: UUID):
    poster = _poster(hub_id)
    return render_template("web/poster.jinja", poster=poster,
                           pdf=url_for("web.public_poster_pdf", hub_id=hub_id, **request.args))


@web.get("/public/hubs/<uuid:hub_id>/poster.pdf")
def public_poster_pdf(hub_id: UUID):
    return pdf_answer(render_template("web/poster_print.jinja", poster=_poster(hub_id)), "poster.pdf")
