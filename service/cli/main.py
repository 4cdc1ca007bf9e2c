"""The `coproduce` command line: set up a store, load the demo, work on issues, read history."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import click

from domain import HubLifecycle, Role
from service.app.coproduce import Coproduce
from service.app.schemas import AccountIn, CopyIn, ForgetIn, HubIn, OpenedOnIn, PasswordIn
from service.bootstrap import key_custody, upgrade_store
from service.cli import audit, backup, demo, issues, keeping_posted, keys, notifications, read_models, rounds
from service.cli import my_words  # noqa: F401  (adds its commands to issues.COMMANDS)
from service.cli import public  # noqa: F401  (adds `summarise` to the issue commands)
from service.cli.support import Context, as_option, loaded, pass_context, refusals, say, settings_checked
from service.http import serve


class Commands(click.Group):
    """The commands, with every setting checked before any of them runs (not before their --help)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["help_asked"] = bool(set(args) & set(ctx.help_option_names))
        return super().parse_args(ctx, args)


@click.group(cls=Commands)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Coproduce: systemic issues from frame to learn, with an auditable history."""
    if not ctx.meta.get("help_asked"):
        settings_checked()
    ctx.obj = Context()
    ctx.call_on_close(lambda: ctx.obj._app and ctx.obj._app.close())


@cli.command()
@click.option("--admin", "username", default="admin", show_default=True, help="Username of the first admin.")
@click.option("--name", default="Administrator", show_default=True, help="The admin's display name.")
@pass_context
@refusals
def init(context: Context, username: str, name: str) -> None:
    """Operator: create or upgrade the store's tables (once, before servers start), and its first admin account."""
    admin = loaded(AccountIn(), {"username": username, "role": Role.ADMIN.value, "name": name})
    app = _upgrade(context)
    say(f"Store ready: {app.store.url.render_as_string(hide_password=True)}")
    if app.recorder.max_notification_id():
        say("The store already holds data; nothing else to do.")
        return
    app.register_first_admin(admin["username"], admin["name"])
    say(f"Created the admin account {username!r}.")
    audit.sign_a_checkpoint(app)


@cli.command()
@pass_context
@refusals
def upgrade(context: Context) -> None:
    """Operator: bring the store to this release (safe to run again, and from two hosts at once)."""
    _upgrade(context)


def _upgrade(context: Context) -> Coproduce:
    """Migrate the store's own tables, wrap person keys an earlier release kept plain, then open the
    store (which rebuilds the read models this release changed, unless a projections worker does that)."""
    done = upgrade_store(say=say)
    if done.new_store:
        say(f"Made the store's tables (schema revision {done.after}).")
    elif done.before == done.after:
        say(f"The store's schema is current (revision {done.after}); nothing to migrate.")
    else:
        say(f"Upgraded the store's schema from {done.before or 'before revisions'} to revision {done.after}.")
    custody = key_custody()
    try:
        wrapped = custody.wrap_plain_keys()
    finally:
        custody.close()
    if wrapped:
        say(f"Wrapped {wrapped:,} person keys with the key-encryption key in {custody.source.where}.")
    context.manage_schema = True  # the commands that always create tables
    app = context.app
    waiting = app.projections.stale()
    if waiting:
        say(f"The projections worker rebuilds these read models when it starts: {', '.join(waiting)} "
            "(until then /readyz answers 503).")
    return app


@cli.command("add-account")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", required=True, help="The person's name (stored encrypted).")
@click.option("--contact", default="", help="How to reach them (stored encrypted).")
@click.option("--hub", "hubs", multiple=True, help="A hub (name or id) they belong to.")
@click.option("--password", help="A password to sign in with (at least 12 characters).")
@as_option
@pass_context
@refusals
def add_account(context: Context, username: str, role: str, name: str, contact: str,
                hubs: tuple[str, ...], password: str | None, as_user: str) -> None:
    """Register a person with a role, and add them to hubs."""
    account = loaded(AccountIn(), {"username": username, "role": role, "name": name, "contact": contact,
                                   "hub_ids": [context.hub_id(hub) for hub in hubs],
                                   **({"password": password} if password is not None else {})})
    account_id = context.app.open_account(actor=context.app.actor_for(as_user), **account)
    hub_names = " and ".join(context.app.hub(hub_id).name for hub_id in account["hub_ids"])
    where = f" in {hub_names}" if hub_names else ""
    say(f"Added the account {account['username']} ({account['role'].replace('_', ' ')}){where}: {account_id}")


@cli.command("add-hub")
@click.argument("name")
@click.option("--area", required=True)
@click.option("--lifecycle", type=click.Choice([s.value for s in HubLifecycle]), default="pre-planning")
@click.option("--opened-on", type=click.DateTime(["%Y-%m-%d"]), help="The day the hub started (YYYY-MM-DD).")
@as_option
@pass_context
@refusals
def add_hub(context: Context, name: str, area: str, lifecycle: str, opened_on: datetime | None, as_user: str) -> None:
    """Create a hub."""
    hub = loaded(HubIn(), {"name": name, "area": area, "lifecycle": lifecycle,
                           **({"opened_on": opened_on.date()} if opened_on else {})})
    hub_id = context.app.create_hub(actor=context.app.actor_for(as_user), **hub)
    say(f"Added the hub {hub['name']} ({hub['area']}; {hub['lifecycle']}): {hub_id}")


NO_HUB_YET = ("No hubs yet. An admin adds one with: "
              "coproduce add-hub NAME --area AREA --lifecycle active --as ADMIN_USERNAME")


@cli.command("hub-opened")
@click.argument("hub")
@click.argument("opened_on", metavar="YYYY-MM-DD", type=click.DateTime(["%Y-%m-%d"]))
@as_option
@pass_context
@refusals
def hub_opened(context: Context, hub: str, opened_on: datetime, as_user: str) -> None:
    """Record (or correct) the day a hub started."""
    day = loaded(OpenedOnIn(), {"opened_on": opened_on.date()})["opened_on"]
    context.app.record_hub_opening(context.hub_id(hub), day, context.app.actor_for(as_user))
    say(f"Recorded: the hub started on {day}.")


@cli.command()
@as_option
@pass_context
@refusals
def hubs(context: Context, as_user: str) -> None:
    """List the hubs you may see and how many issues each has in each stage."""
    actor = context.app.actor_for(as_user)
    shown = context.app.board_hubs(actor)
    if not shown:
        say(NO_HUB_YET if not context.app.known_ids()[0] else "No hub you may see: you belong to none yet. "
            "Ask an admin to add you to one.")
    for hub in shown:
        board = context.app.hub_board(UUID(hub.hub_id), actor)
        stages = ", ".join(f"{s['stage']}: {s['count']}" for s in board["stages"] if s["count"]) or "no issues yet"
        opened = context.app.hub(UUID(hub.hub_id)).opened_on
        since = f"; since {opened}" if opened else ""
        say(f"{hub.hub_id}  {hub.name} ({hub.area}; {hub.lifecycle}{since}) — {stages}")


@cli.command("issues")
@click.option("--hub", help="Only this hub (name or id).")
@as_option
@pass_context
@refusals
def list_issues(context: Context, hub: str | None, as_user: str) -> None:
    """List the issues you may see, with their stage."""
    actor = context.app.actor_for(as_user)
    hubs = {h.hub_id: h for h in context.app.board_hubs(actor)}
    chosen = [str(context.hub_id(hub))] if hub else list(hubs)
    names = context.app.known_ids()[0]
    for hub_id in chosen:
        for issue in context.app.board_issues(UUID(hub_id), actor):
            parked = " (parked)" if issue.parked_reason else ""
            say(f"{issue.issue_id}  [{issue.stage}{parked}]  {issue.title}  — {names[hub_id]}")


@cli.command("set-password")
@click.argument("username")
@click.password_option(help="At least 12 characters (asked for twice if not given).")
@pass_context
@refusals
def set_password(context: Context, username: str, password: str) -> None:
    """Operator: set the password USERNAME signs in with (the first admin's, after init)."""
    password = loaded(PasswordIn(), {"password": password})["password"]
    context.app.set_password(context.app.account_by_username(username).id, password)
    say(f"Password set for {username}.")


@cli.command()
@click.argument("person")
@click.option("--requested-by", required=True, help="Who asked: the person, or who on their behalf.")
@click.option("--authority", required=True, help="On what basis (e.g. their erasure request of a date).")
@as_option
@pass_context
@refusals
def forget(context: Context, person: str, requested_by: str, authority: str, as_user: str) -> None:
    """Forget PERSON (a username): destroy their key so their words and name cannot be read again."""
    app, request = context.app, loaded(ForgetIn(), {"requested_by": requested_by, "authority": authority})
    app.forget(app.account_by_username(person).id, actor=app.actor_for(as_user), **request)
    say(f"{person} has been forgotten: their key is destroyed; the audit trail keeps that it happened.")


@cli.command("copy-of-data")
@click.argument("person")
@click.option("--requested-by", required=True, help="Who asked, and how (kept in the audit trail: not a name).")
@as_option
@pass_context
@refusals
def copy_of_data(context: Context, person: str, requested_by: str, as_user: str) -> None:
    """Print everything held about PERSON (a username) as JSON, for their request on paper (admins)."""
    app, request = context.app, loaded(CopyIn(), {"requested_by": requested_by})
    for chunk in app.copy_of_data(app.actor_for(as_user), app.account_by_username(person).id, **request):
        say(chunk, nl=False)


for command in (*issues.COMMANDS, *rounds.COMMANDS, *keeping_posted.COMMANDS, demo.demo, serve.serve,
                read_models.projections, audit.audit, backup.backup, backup.restore, keys.keys,
                notifications.notifications):
    cli.add_command(command)
for command in public.COMMANDS:
    cli.add_command(command)


def main() -> None:
    cli()
