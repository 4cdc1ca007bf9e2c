"""Action owners: the actions they own across their hubs, overdue ones first."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from flask import render_template

from domain import Actor
from projections.times import now
from service.web.blueprint import acting, web
from service.web.signin import coproduce


def actions_of(me: Actor) -> list[dict]:
    """Every action the person owns in their hubs, open ones first, overdue before the rest."""
    today = now().date()
    found = []
    for hub in coproduce().board_hubs(me):
        for row in coproduce().board_issues(UUID(hub.hub_id), me):
            issue = coproduce().readable_issue(UUID(row.issue_id), me)
            for action in issue.actions.values():
                if action.owner_id == str(me.account_id):
                    due = date.fromisoformat(action.due)
                    found.append({"action": action, "issue": issue, "due": due,
                                  "overdue": action.status == "open" and due < today})
    return sorted(found, key=lambda a: (a["action"].status != "open", not a["overdue"], a["due"]))


@web.route("/my-actions")
def my_actions():
    return render_template("web/my_actions.jinja", actions=actions_of(acting()))
