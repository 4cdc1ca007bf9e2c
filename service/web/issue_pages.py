"""Hubs and issues: the board, an issue's page, and every form that changes an issue."""

from __future__ import annotations

from uuid import UUID

from flask import flash, render_template, request, url_for
from werkzeug.exceptions import abort

from domain import Actor, Role, SystemicIssue
from domain.workflow import next_stage
from service.app import schemas as s
from service.app.authorization import Permission as P
from service.web.blueprint import acting, web
from service.web.commands import COMMANDS, Command, Context
from service.web.form_page import form_page, form_version
from service.web.forms import Field
from service.web.signin import coproduce
from service.web.wording import HISTORY_SAID, STAGE_MEANS

@web.route("/")
def home():
    me = acting()
    hubs = coproduce().board_hubs(me)
    boards = {h.hub_id: coproduce().hub_board(UUID(h.hub_id), me) for h in hubs}
    return render_template("web/home.jinja", hubs=hubs, boards=boards, role=me.role.value)


@web.route("/hubs/<uuid:hub_id>")
def hub_board(hub_id: UUID):
    me = acting()
    hub = coproduce().readable_hub(hub_id, me)
    return render_template("web/hub.jinja", hub=hub, board=coproduce().hub_board(hub_id, me),
                           may_raise=coproduce().allows(me, P.RAISE_ISSUE, hub_id),
                           may_record_session=coproduce().allows(me, P.RECORD_SESSION, hub_id),
                           may_report=coproduce().allows(me, P.READ_REPORTS, hub_id),
                           may_manage=coproduce().allows(me, P.MANAGE_HUBS))


RAISE = [Field("title", "What is the issue?", hint="A short title, such as 'Booking appointments without a phone'.")]


@web.route("/hubs/<uuid:hub_id>/raise", methods=["GET", "POST"])
def raise_issue(hub_id: UUID):
    hub = coproduce().readable_hub(hub_id, acting(), P.RAISE_ISSUE)
    return form_page(lambda: RAISE, s.RaiseIn(), lambda data: url_for(
        "web.issue", issue_id=coproduce().raise_issue(hub_id, data["title"], acting())),
        done="the issue is raised. It starts in Frame", page=lambda: {
            "title": f"Raise an issue in {hub.name}", "submit": "Raise the issue",
            "back": url_for("web.hub_board", hub_id=hub_id)})


STAGES = {stage.value for stage in STAGE_MEANS}


def offered(issue: SystemicIssue) -> list[Command]:
    """The forms the signed-in person may use on this issue now (on their own things, where that matters):
    the application says who may, the domain's workflow what is possible now."""
    me = acting()
    ctx = Context(coproduce(), issue, me)
    return [c for c in COMMANDS.values() if (c.roles is None or me.role in c.roles)
            and coproduce().allows(me, c.permission, issue.hub_id, me.account_id) and c.offered_now(ctx)]


def history_words(me: Actor) -> dict:
    """The timeline's register: everyday words for experts, the domain's own for staff."""
    return {"sentences": HISTORY_SAID} if me.role == Role.EXPERT else {}


@web.route("/issues/<uuid:issue_id>")
def issue(issue_id: UUID):
    me = acting()
    found = coproduce().readable_issue(issue_id, me)
    upcoming = next_stage(found.stage)
    return render_template(
        "web/issue.jinja", issue=coproduce().issue_as_seen(issue_id, me, found), stage_means=STAGE_MEANS[found.stage],
        upcoming=upcoming, missing=found.missing_before(upcoming) if upcoming else [],
        commands=offered(found), timeline=coproduce().timeline(issue_id, me, **history_words(me))[-10:],
        hub=coproduce().hub(found.hub_id), plain=me.role == Role.EXPERT)


@web.route("/issues/<uuid:issue_id>/history")
def history(issue_id: UUID):
    me = acting()
    found = coproduce().readable_issue(issue_id, me)
    stage = request.args.get("stage") or None
    return render_template("web/history.jinja", issue=found, stage=stage, plain=me.role == Role.EXPERT,
                           timeline=coproduce().timeline(issue_id, me, stage=stage if stage in STAGES else None,
                                                         **history_words(me)))


@web.route("/issues/<uuid:issue_id>/<slug>", methods=["GET", "POST"])
def command(issue_id: UUID, slug: str):
    chosen = COMMANDS.get(slug) or abort(404)
    me = acting()
    found = coproduce().readable_issue(issue_id, me)
    if not coproduce().allows(me, chosen.permission, found.hub_id, me.account_id):
        abort(403)

    def context() -> Context:
        return Context(coproduce(), coproduce().readable_issue(issue_id, me), me)

    said: list[str] = []

    def act(data: dict) -> str:
        ctx = context()
        arguments = chosen.arguments(ctx, data)
        getattr(coproduce(), chosen.method)(issue_id, actor=me, expected_version=form_version(), **arguments)
        said.append(chosen.done(arguments))
        if tip := chosen.tip(data):
            flash(tip, "tip")
        return url_for("web.issue", issue_id=issue_id)

    def page() -> dict:
        found = coproduce().readable_issue(issue_id, me)
        upcoming = next_stage(found.stage) if slug == "advance" else None
        return {"title": chosen.title, "submit": chosen.title, "issue": found, "version": found.version, "hint": chosen.hint,
                "back": url_for("web.issue", issue_id=issue_id), "upcoming": upcoming,
                "missing": found.missing_before(upcoming) if upcoming else []}

    return form_page(lambda: chosen.questions(context()), chosen.schema(), act,
                     done=lambda: said[-1], page=page)
