"""Experts: what happened to each piece of their input, a page at a time."""

from __future__ import annotations

import math

from flask import redirect, render_template, request, url_for

from service.web.blueprint import acting, web
from service.web.signin import coproduce

PAGE_SIZE = 20  # stories a page, newest first


@web.route("/my-input")
def my_input():
    page = max(request.args.get("page", 1, type=int), 1)
    found = coproduce().my_input_page(acting(), (page - 1) * PAGE_SIZE, PAGE_SIZE)
    pages = max(math.ceil(found.total / PAGE_SIZE), 1)
    if page > pages:
        return redirect(url_for("web.my_input", page=pages))
    return render_template("web/my_input.jinja", found=found, page=page, pages=pages,
                           first=(page - 1) * PAGE_SIZE + 1)
