"""Action owners: the actions they own across their hubs, overdue ones first."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from flask import render_template

from projections.times import now
from service.web.blueprint import web
from service.web.signin import account, coproduce


def actions_of(owner_id: UUID, hub_ids: list[str]) -> list[dict]:
    """Every action the person owns in these hubs, open ones first, overdue before the rest."""
    today = now().date()
    found = []
    for hub_id in hub_ids:
        for row in coproduce().board_issues(UUID(hub_id)):
            issue = coproduce().issue(UUID(row.issue_id))
            for action in issue.actions.values():
                if action.owner_id == str(owner_id):
                    due = date.fromisoformat(action.due)
                    found.append({"action": action, "issue": issue, "due": due,
                                  "overdue": action.status == "open" and due < today})
    return sorted(found, key=lambda a: (a["action"].status != "open", not a["overdue"], a["due"]))


@web.route("/my-actions")
def my_actions():
    mine = account()
    return render_template("web/my_actions.jinja", actions=actions_of(mine.id, mine.hub_ids))
