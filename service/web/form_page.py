"""One way every form page behaves: show it, read it, act, and on a mistake or refusal show it again."""

from __future__ import annotations

from typing import Any, Callable

from flask import flash, redirect, render_template, request
from marshmallow import Schema

from domain import DomainError, NotAllowed, NotFound, StageRefused, StaleVersion
from service.web.forms import Field, FormInvalid, read

STALE = ("Someone else changed this issue while you were filling in the form. Check the issue as it now "
         "stands below, then send your answers again.")


def refusal(error: DomainError) -> str:
    if isinstance(error, StageRefused):
        return f"The issue cannot move from {error.from_stage} to {error.to_stage}: " + "; ".join(error.missing) + "."
    if isinstance(error, StaleVersion):  # any other conflict says what it was (a username already taken …)
        return STALE
    return str(error)[:1].upper() + str(error)[1:] + "."


def form_version() -> int:
    """The version of what the form changes, as it was when the form was shown. Every such form
    carries one: a form sent without it (or with one that is not a number) is refused as stale,
    never taken as a change that need not be checked."""
    version = request.form.get("version", type=int)
    if version is None:
        raise StaleVersion("the form did not say which version it was filled in on")
    return version


def said_done(done: str) -> str:
    """What is done, said as a sentence: "the action is committed" -> "The action is committed."."""
    return done[:1].upper() + done[1:] + ("" if done.endswith((".", "!", "?")) else ".")


def form_page(questions: Callable[[], list[Field]], schema: Schema, act: Callable[[dict[str, Any]], str], *,
              done: str | Callable[[], str], page: Callable[[], dict[str, Any]]):
    """GET shows the form; POST reads it with `schema` and calls `act`, which answers the address to go to.
    `done` says in the past tense what was done (asked after `act` when it is a function: the stage an issue
    moved to…); `page` gives the template's other values (title, submit, back...), asked again after a
    refusal so the form shows the issue as it now stands."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            next_page = act(read(schema, request.form, questions()))
        except FormInvalid as invalid:
            errors = invalid.errors
        except (NotFound, NotAllowed):
            raise  # answered as a page of its own (404, 403), the same as at every other door
        except DomainError as refused:
            errors = {"form": refusal(refused)}
        else:
            flash(said_done(done() if callable(done) else done))
            return redirect(next_page, code=303)
    return render_template("web/form.jinja", questions=questions(), errors=errors, values=request.form,
                           **page()), 422 if errors else 200
