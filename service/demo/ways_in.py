"""The demo's ways in without an account: Peterborough's drop-in hears from two people with no
account, says its issues in plain words and publishes its "You said, we did" page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from domain import Attribution, Channel
from service.demo.load import Demo

PB = "Peterborough"
SUMMARIES = {
    "Drop-in times that clash with support appointments": "Drop-ins at the same time as key-worker visits",
    "Letters that arrive after you have moved on": "Letters going to addresses people have left",
}


def peterborough_in_public(d: Demo) -> Iterator[date]:
    """Two weeks ago at a drop-in, two people new to the hub; this week the answer, and the page goes public."""
    yield d.today - timedelta(days=14)
    app, priya, fran = d.app, d.manager(PB), d.actors["fran"]
    drop_ins = d.issues["Drop-in times that clash with support appointments"]
    session = app.record_session(d.hubs[PB], fran, held_on=d.today - timedelta(days=14),
                                 place="Peterborough central library", format="drop-in", experts_attended=7,
                                 staff_attended=2)
    named = app.record_from_someone_new(
        drop_ins, "Dee", "An evening drop-in once a month would mean I could come after work.", fran,
        channel=Channel.IN_PERSON, may_quote=True, attribution=Attribution.FIRST_NAME, session_id=session)
    app.record_from_someone_new(
        drop_ins, "", "My support worker only comes on Thursday mornings, the same as you.", fran,
        channel=Channel.IN_PERSON, may_quote=False, attribution=Attribution.ANONYMOUS, session_id=session)
    yield d.today - timedelta(days=3)
    for title, summary in SUMMARIES.items():
        app.summarise_issue(d.issues[title], summary, priya)
    app.give_feedback(drop_ins, "You asked for a time after work: from next month the library drop-in also runs "
                                "on the first Wednesday evening.", [named.contribution_id], priya)
    app.publish_hub(d.hubs[PB], priya)
