"""Auditors: the audit trail with filters and downloads, and each hub's accountability report."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from uuid import UUID

from flask import Response, redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from domain import Role
from service.app import schemas as s
from service.app.authorization import Permission as P
from service.web import charts, wording
from service.web.blueprint import REFUSED_HERE, acting, web, who_may
from service.web.forms import Field, plain_errors
from service.web.signin import coproduce

PAGE = 50
# The audit trail is about no hub: a refusal there says who may read it (from the authorization table).
REFUSED_HERE.update(dict.fromkeys(("web.audit_trail", "web.audit_export"),
                                  lambda: f"Only {who_may(P.READ_AUDIT)} can read the audit trail."))
PERIOD = s.AccountabilityQuery(only=("start", "end"))  # the report's From and To, checked as the API checks them


class AuditFilters(Schema):
    kind = fields.String(validate=validate.OneOf(wording.KIND_WORDS, error="must be one of the kinds listed"))
    actor_role = fields.String(validate=s.one_of(Role))
    hub_id = fields.UUID()
    issue_id = fields.UUID()
    start = fields.Date(data_key="from", validate=s.day_in_range())
    end = fields.Date(data_key="to", validate=s.day_in_range())
    set_up = fields.Boolean(load_default=False, truthy={"yes"}, falsy={"no"})
    page = fields.Integer(load_default=1, validate=validate.Range(
        min=1, max=s.LAST_POSITION // PAGE, error="must be a page number, from 1"))

    @validates_schema
    def _period_in_order(self, data: dict, **kwargs) -> None:
        s.in_order(data, "start", "end", "from", "to")  # the API's rule for the accountability report's period


# The filters as the audit trail's form asks them, in its order (the accountability report asks From and To).
FILTERS = [Field("hub_id", "Hub"), Field("issue_id", "Issue"), Field("kind", "What happened"),
           Field("actor_role", "Role of who did it"), Field("from", "From (first day)"), Field("to", "To (last day)"),
           Field("set_up", "Show account and hub set-up too"), Field("page", "Page")]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=timezone.utc)


def _filters() -> tuple[dict[str, Any], int, dict[str, str]]:
    """The filters as audit_trail takes them, the page asked for, and any that were not valid (by field)."""
    given = {k: v for k, v in request.args.items() if v.strip() and k in (
        "kind", "actor_role", "hub_id", "issue_id", "from", "to", "set_up", "page")}
    try:
        loaded = AuditFilters().load(given)
    except ValidationError as invalid:
        return {"set_up": False}, 1, plain_errors(invalid, AuditFilters(), FILTERS)
    page = loaded.pop("page")
    query: dict[str, Any] = {k: str(v) if isinstance(v, UUID) else v for k, v in loaded.items()
                             if k not in ("start", "end")}
    if "start" in loaded:
        query["since"] = _midnight(loaded["start"])
    if "end" in loaded:
        query["until"] = _midnight(loaded["end"] + timedelta(days=1))
    return query, page, {}


@web.route("/audit")
def audit_trail():
    query, page, errors = _filters()
    total = coproduce().audit_count(acting(), **query)
    last = _pages(total)
    if page > last:  # past the end (an old link, a typed number): the last page there is
        filters = {k: v for k, v in request.args.items() if k != "page" and v.strip()}
        return redirect(url_for("web.audit_trail", **filters, **({"page": last} if last > 1 else {})))
    rows = coproduce().audit_trail(acting(), limit=PAGE, offset=(page - 1) * PAGE, **query)
    return _page(rows, errors, total, page)


def _pages(total: int) -> int:
    return max(1, -(-total // PAGE))


def _page(rows: list[dict], errors: dict[str, str], total: int = 0, page: int = 1):
    hubs = coproduce().board_hubs(acting())
    issues = sorted(((row.issue_id, f"{row.title} ({hub.name})") for hub in hubs
                     for row in coproduce().board_issues(UUID(hub.hub_id), acting())), key=lambda i: i[1].lower())
    filters = {k: v for k, v in request.args.items() if k != "page" and v.strip()}
    return render_template("web/audit.jinja", rows=rows, errors=errors, filters=filters, issue_options=issues,
                           issue_titles={row.issue_id: row.title for hub in hubs
                                         for row in coproduce().board_issues(UUID(hub.hub_id), acting())},
                           hub_options=[(h.hub_id, h.name) for h in hubs], hub_names={h.hub_id: h.name for h in hubs},
                           role_options=[(r.value, r.value.replace("_", " ")) for r in Role],
                           kinds=wording.KIND_WORDS, total=total, page=page,
                           pages=_pages(total)), 422 if errors else 200


@web.route("/audit/export.<any(csv, jsonl):fmt>")
def audit_export(fmt: str):
    query, _, errors = _filters()
    if errors:
        coproduce().audit_trail(acting(), limit=0)
        return _page([], errors)
    download = coproduce().audit_export(acting(), fmt, limit=10_000_000, **query)
    return Response(download.lines, mimetype=download.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{download.filename}"'})



@web.route("/hubs/<uuid:hub_id>/accountability")
def accountability(hub_id: UUID):
    hub = coproduce().readable_hub(hub_id, acting(), P.READ_REPORTS)
    errors: dict[str, str] = {}
    try:
        period = PERIOD.load({k: v for k, v in request.args.items() if k in ("from", "to") and v.strip()})
    except ValidationError as invalid:
        period = {}
        errors = plain_errors(invalid, PERIOD, FILTERS[4:6])
    report = coproduce().accountability(hub_id, acting(), period.get("start"), period.get("end"))
    last_day = report["end"] - timedelta(days=1)  # the report counts up to the end of its "To (last day)"
    return render_template("web/accountability.jinja", hub=hub, report=report, errors=errors, last_day=last_day,
                           period=request.args, charts=[charts.feedback_within(report),
                                                        charts.time_to_feedback(report),
                                                        charts.claimed_and_felt(report)]), 422 if errors else 200
