"""How we keep you posted: a person's own choice, a facilitator's step at a session, and the hub's
hand-over sheet (a page that prints, and its PDF) on which the facilitator ticks who got their news."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, flash, redirect, render_template, request, url_for
from marshmallow import Schema, fields
from werkzeug.datastructures import MultiDict

from domain import DomainError, NotAllowed, NotFound
from service.app.authorization import Permission as P
from service.app.contact_schemas import ContactIn, HandOverIn
from service.app.deliveries import HandOverRefused
from service.web.blueprint import acting, web
from service.web.form_page import refusal
from service.web.forms import Field, FormInvalid, read
from service.web.printing import pdf_from
from service.web.signin import coproduce
from service.web.wording import count, long_date

TITLE = "How we keep you posted"
CONTACT = [
    Field("ways", "How do you want to hear from us?", "checkboxes",
          hint="Choose all that suit you. Choose none if you do not want messages.",
          options=(("email", "By email"), ("text", "By text message"), ("letter", "By letter in the post"),
                   ("hub", "At my hub", "Someone gives you the news at your next hub session."))),
    Field("topics", "What do you want to hear about?", "checkboxes",
          options=(("feedback", "When the hub answers my input"),
                   ("progress", "When my input is used", "It was put with other input, helped the hub "
                    "understand the problem, or led to an action."),
                   ("actions", "When an action from my input is done or stops"),
                   ("closed", "When the work on the issue ends, and what changed"))),
    Field("how_often", "How often?", "radios",
          options=(("each_time", "Each time something happens"), ("weekly", "Once a week, all together"))),
    Field("email", "Your email address", hint="Only if you chose email."),
    Field("phone", "Your mobile phone number", hint="Only if you chose text message. For example, 07700 900123."),
    Field("postal_address", "Your postal address", "textarea",
          hint="Only if you chose letter. One line each, with your postcode on the last line."),
]


def _values(choice: dict[str, Any]) -> MultiDict:
    values = MultiDict([("ways", way) for way in choice["ways"]] + [("topics", t) for t in choice["topics"]])
    for name in ("how_often", "email", "phone", "postal_address"):
        values[name] = choice[name]
    return values


def _posted(act) -> tuple[dict[str, str], bool]:
    """Read the form and act on it; the errors to show, and whether it was done."""
    try:
        act(read(ContactIn(), request.form, CONTACT))
    except FormInvalid as invalid:
        return invalid.errors, False
    except (NotFound, NotAllowed):
        raise
    except DomainError as refused:
        return {"form": refusal(refused)}, False
    return {}, True


@web.route("/me/contact", methods=["GET", "POST"])
def my_contact():
    actor = acting()
    errors: dict[str, str] = {}
    if request.method == "POST":
        errors, done = _posted(lambda choice: coproduce().choose_contact(actor, choice))
        if done:
            flash("Done: we will keep you posted the way you chose.")
            return redirect(url_for("web.my_contact"), code=303)
    contact = coproduce().contact_of(actor)
    values = request.form if errors else _values(contact)
    return render_template("web/keeping_posted.jinja", title=TITLE, questions=CONTACT, errors=errors,
                           values=values, submit="Save my choices", contact=contact), 422 if errors else 200


class PersonIn(Schema):
    person_id = fields.UUID(required=True)


@web.route("/hubs/<uuid:hub_id>/sessions/<uuid:session_id>/keeping-posted", methods=["GET", "POST"])
def keeping_posted_at_session(hub_id: UUID, session_id: UUID):
    """The session form's last step: how each expert there wants to hear, on their word."""
    actor = acting()
    hub = coproduce().readable_hub(hub_id, actor, P.RECORD_SESSION)
    if str(session_id) not in hub.sessions:
        raise NotFound(f"no session with id {session_id}")
    experts = tuple((str(a.id), coproduce().display_name(a.id)) for a in coproduce().hub_experts(hub_id, actor))
    questions = [Field("person_id", "Whose choice is this?", "select", options=(("", "Choose an expert"), *experts)),
                 *CONTACT]
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            person_id = read(PersonIn(), request.form, questions[:1])["person_id"]
        except FormInvalid as invalid:
            errors = invalid.errors
        else:
            errors, done = _posted(lambda choice: coproduce().choose_contact_for(person_id, hub_id, session_id,
                                                                                 choice, actor))
            if done:
                flash("Done: their choice is recorded, with this session.")
                return redirect(url_for("web.keeping_posted_at_session", hub_id=hub_id, session_id=session_id),
                                code=303)
    return render_template("web/keeping_posted.jinja", title="How each expert wants to hear from us",
                           questions=questions, errors=errors, values=request.form, hub=hub,
                           submit="Save their choice", on_their_word=True,
                           done_url=url_for("web.hub_board", hub_id=hub_id)), 422 if errors else 200


def _sheet(hub_id: UUID) -> tuple[Any, list[dict[str, Any]]]:
    actor = acting()
    hub = coproduce().readable_hub(hub_id, actor, P.RECORD_SESSION)
    people: dict[str, dict[str, Any]] = {}
    for item in coproduce().hand_over_sheet(hub_id, actor):
        people.setdefault(item["person_id"], {"name": item["name"], "news": []})["news"].append(item)
    return hub, list(people.values())


@web.route("/hubs/<uuid:hub_id>/hand-over", methods=["GET", "POST"])
def hand_over(hub_id: UUID):
    hub, people = _sheet(hub_id)
    sessions = sorted(hub.sessions.values(), key=lambda s: s.held_on, reverse=True)
    errors: dict[str, str] = {}
    questions = [Field("session_id", "At which session?", "select",
                       options=(("", "Choose a session"),
                                *((s.id, f"{s.place} {s.format}, {long_date(s.held_on)}") for s in sessions))),
                 Field("message_keys", "Who got their news?", "checkboxes")]
    if request.method == "POST":
        try:
            given = read(HandOverIn(), request.form, questions)
            done = coproduce().hand_over(hub_id, given["session_id"], given["message_keys"], acting())
        except FormInvalid as invalid:
            errors = invalid.errors
        except HandOverRefused as refused:
            errors = {refused.field: refused.why[:1].upper() + refused.why[1:]}
        except (NotFound, NotAllowed):
            raise
        except DomainError as refused:
            errors = {"form": refusal(refused)}
        else:
            flash(f"Done: {count(done, 'piece of news is', 'pieces of news are')} recorded as given.")
            return redirect(url_for("web.hand_over", hub_id=hub_id), code=303)
    return render_template("web/hand_over.jinja", hub=hub, people=people, questions=questions, errors=errors,
                           values=request.form), 422 if errors else 200


@web.route("/hubs/<uuid:hub_id>/hand-over.pdf")
def hand_over_pdf(hub_id: UUID):
    hub, people = _sheet(hub_id)
    html = render_template("web/hand_over_print.jinja", hub=hub, people=people, values=MultiDict())
    return Response(pdf_from(html), mimetype="application/pdf",
                    headers={"Content-Disposition": 'inline; filename="hand-over-sheet.pdf"'})
