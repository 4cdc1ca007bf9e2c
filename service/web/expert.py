"""Experts: what happened to each piece of their input."""

from __future__ import annotations

from flask import render_template

from service.web.blueprint import web
from service.web.signin import account, coproduce


@web.route("/my-input")
def my_input():
    stories = coproduce().my_input(account().id)
    return render_template("web/my_input.jinja", stories=stories,
                           awaiting=sum(1 for story in stories if story["awaiting_feedback"]))
