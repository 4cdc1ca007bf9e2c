"""Action owners: the actions they own across their hubs, overdue ones first."""

from __future__ import annotations

from types import SimpleNamespace

from flask import render_template

from domain import Actor
from service.web.blueprint import acting, web
from service.web.signin import coproduce


def actions_of(me: Actor) -> list[dict]:
    """Every action the person owns in their hubs, open ones first, overdue before the rest
    (one read of the owned-actions view: no issue is loaded)."""
    return [{"action": SimpleNamespace(id=a["action_id"], title=a["title"], status=a["status"],
                                       progress=[a["last_progress"]] if a["last_progress"] else [],
                                       end_note=a["end_note"]),
             "issue": SimpleNamespace(id=a["issue_id"], title=a["issue_title"]),
             "due": a["due"], "overdue": a["overdue"]}
            for a in coproduce().actions_owned(me)]


@web.route("/my-actions")
def my_actions():
    return render_template("web/my_actions.jinja", actions=actions_of(acting()))
