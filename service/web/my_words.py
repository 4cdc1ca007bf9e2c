"""Is this what you said? An expert confirms or corrects what was written down for them, and changes
what they agreed to. Each page calls one application method, which decides who may."""

from __future__ import annotations

from uuid import UUID

from flask import abort, flash, redirect, url_for
from marshmallow import Schema

from service.app import schemas as s
from service.web.blueprint import acting, web
from service.web.form_page import form_page
from service.web.forms import Field
from service.web.signin import coproduce
from service.web.wording import NAMING, YES_NO

INPUT = "/issues/<uuid:issue_id>/input/<uuid:contribution_id>"
CORRECT = [Field("text", "What did you want to say?", "textarea",
                 "Write it in your own words. These words will replace the ones written down. "
                 "Feedback already given on this input stays with it.")]
CONSENT = [Field("may_quote", "May we quote your words to others?", "radios", options=YES_NO),
           Field("attribution", "If we quote you, how should we name you?", "radios", options=NAMING)]


def _page(issue_id: UUID, contribution_id: UUID, title: str) -> dict:
    seen = coproduce().contribution_as_seen(issue_id, contribution_id, acting())
    return {"title": title, "submit": title, "recorded": seen["text"], "version": None,
            "back": url_for("web.my_input")}


def _form(issue_id: UUID, contribution_id: UUID, method: str, schema: Schema, questions: list[Field],
          title: str, done: str):
    if not coproduce().may_change_input(issue_id, contribution_id, acting()):
        abort(403)

    def act(data: dict) -> str:
        getattr(coproduce(), method)(issue_id, contribution_id, actor=acting(), **data)
        return url_for("web.my_input")
    return form_page(lambda: questions, schema, act, done=done,
                     page=lambda: _page(issue_id, contribution_id, title))


@web.route(INPUT + "/correct", methods=["GET", "POST"])
def correct_input(issue_id: UUID, contribution_id: UUID):
    return _form(issue_id, contribution_id, "correct_contribution", s.CorrectionIn(), CORRECT,
                 "Correct my words", "your words are corrected")


@web.route(INPUT + "/consent", methods=["GET", "POST"])
def change_consent(issue_id: UUID, contribution_id: UUID):
    return _form(issue_id, contribution_id, "change_consent", s.ConsentIn(), CONSENT,
                 "Change who may see my words", "your choice is changed. Every page follows it from now on")


@web.route(INPUT + "/confirm", methods=["POST"])
def confirm_input(issue_id: UUID, contribution_id: UUID):
    coproduce().confirm_contribution(issue_id, contribution_id, acting())
    flash("Thank you. You said the words written down for you are right.")
    return redirect(url_for("web.my_input"), code=303)
