"""Hubs and issues: the board, an issue's page, and every form that changes an issue."""

from __future__ import annotations

from uuid import UUID

from flask import render_template, request, url_for
from werkzeug.exceptions import abort

from domain import Role, SystemicIssue
from domain.workflow import next_stage
from service.api import schemas as s
from service.api.render import issue_view
from service.authorization import Permission as P, Target
from service.web.blueprint import web
from service.web.commands import COMMANDS, Command, Context
from service.web.form_page import form_page
from service.web.forms import Field
from service.web.signin import account, coproduce, may, permit, who
from service.web.wording import STAGE_MEANS

@web.route("/")
def home():
    mine = account()
    if mine.role in (Role.AUDITOR, Role.ADMIN):
        hubs = coproduce().board_hubs()
    else:
        hubs = [h for h in coproduce().board_hubs() if h.hub_id in mine.hub_ids]
    boards = {h.hub_id: coproduce().hub_board(UUID(h.hub_id)) for h in hubs}
    return render_template("web/home.jinja", hubs=hubs, boards=boards, role=mine.role.value)


def _hub_or_404(hub_id: UUID):
    hub = coproduce().hub(hub_id)
    permit(P.READ, Target(hub_id))
    return hub


@web.route("/hubs/<uuid:hub_id>")
def hub_board(hub_id: UUID):
    hub = _hub_or_404(hub_id)
    return render_template("web/hub.jinja", hub=hub, board=coproduce().hub_board(hub_id),
                           may_raise=may(P.RAISE_ISSUE, Target(hub_id)),
                           may_record_session=may(P.RECORD_SESSION, Target(hub_id)),
                           may_report=may(P.READ_REPORTS, Target(hub_id)))


RAISE = [Field("title", "What is the issue?", hint="A short title, such as 'Booking appointments without a phone'.")]


@web.route("/hubs/<uuid:hub_id>/raise", methods=["GET", "POST"])
def raise_issue(hub_id: UUID):
    hub = _hub_or_404(hub_id)
    actor = permit(P.RAISE_ISSUE, Target(hub_id))
    return form_page(lambda: RAISE, s.RaiseIn(), lambda data: url_for(
        "web.issue", issue_id=coproduce().raise_issue(hub_id, data["title"], actor)),
        done="the issue is raised. It starts in Frame", page=lambda: {
            "title": f"Raise an issue in {hub.name}", "submit": "Raise the issue",
            "back": url_for("web.hub_board", hub_id=hub_id)})


STAGES = {stage.value for stage in STAGE_MEANS}


def _readable(issue_id: UUID) -> SystemicIssue:
    issue = coproduce().issue(issue_id)
    permit(P.READ, Target(issue.hub_id))
    return issue


def offered(issue: SystemicIssue) -> list[Command]:
    """The forms the signed-in account may use on this issue now (on its own things, where that matters)."""
    me, ctx = account(), Context(coproduce(), issue, who())
    mine = Target(issue.hub_id, me.id)
    return [c for c in COMMANDS.values()
            if (c.roles is None or me.role in c.roles) and may(c.permission, mine) and c.offered(ctx)]


@web.route("/issues/<uuid:issue_id>")
def issue(issue_id: UUID):
    found = _readable(issue_id)
    upcoming = next_stage(found.stage)
    return render_template(
        "web/issue.jinja", issue=issue_view(coproduce(), found, who()), stage_means=STAGE_MEANS[found.stage],
        upcoming=upcoming, missing=found.missing_before(upcoming) if upcoming else [],
        commands=offered(found), timeline=coproduce().timeline(issue_id)[-10:], hub=coproduce().hub(found.hub_id))


@web.route("/issues/<uuid:issue_id>/history")
def history(issue_id: UUID):
    found = _readable(issue_id)
    stage = request.args.get("stage") or None
    return render_template("web/history.jinja", issue=found, stage=stage,
                           timeline=coproduce().timeline(issue_id, stage=stage if stage in STAGES else None))


@web.route("/issues/<uuid:issue_id>/<slug>", methods=["GET", "POST"])
def command(issue_id: UUID, slug: str):
    chosen = COMMANDS.get(slug) or abort(404)
    permit(chosen.permission, Target(_readable(issue_id).hub_id, account().id))

    def context() -> Context:
        return Context(coproduce(), coproduce().issue(issue_id), who())

    def act(data: dict) -> str:
        ctx = context()
        actor = permit(chosen.permission, Target(ctx.issue.hub_id, chosen.owner(ctx, data)))
        getattr(coproduce(), chosen.method)(issue_id, actor=actor, expected_version=request.form.get("version", type=int),
                                            **chosen.arguments(ctx, data))
        return url_for("web.issue", issue_id=issue_id)

    def page() -> dict:
        found = coproduce().issue(issue_id)
        upcoming = next_stage(found.stage) if slug == "advance" else None
        return {"title": chosen.title, "submit": chosen.title, "issue": found, "version": found.version,
                "back": url_for("web.issue", issue_id=issue_id), "upcoming": upcoming,
                "missing": found.missing_before(upcoming) if upcoming else []}

    return form_page(lambda: chosen.questions(context()), chosen.schema(), act,
                     done=chosen.title[0].lower() + chosen.title[1:], page=page)
