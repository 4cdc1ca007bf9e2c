"""An issue's input as people see it: from the read model, or from the stored events when a
projection worker has not caught up yet."""

from datetime import date

from domain import Attribution, Channel
from projections import my_input
from service.app import contributions


def say(app, cast, issue, who, text, **how):
    how = {"channel": Channel.ONLINE, "may_quote": True, "attribution": Attribution.ANONYMOUS, **how}
    return str(app.record_contribution(issue, cast.ids[who], text, how.pop("by", cast.actors[who]), **how))


def test_input_the_read_model_has_not_reached_is_shown_from_its_event(app, cast, monkeypatch):
    issue = app.raise_issue(cast.hub, "Letters to old addresses", cast.expert)
    first = say(app, cast, issue, "alex", "Sent to my old flat")
    session = app.record_session(cast.hub, cast.manager, held_on=date(2023, 6, 20), place="Library",
                                 format="drop-in", experts_attended=9, staff_attended=2)
    app.projections_inline = False  # as when a projection worker runs behind the commands
    later = [say(app, cast, issue, "jo", "Missed the appointment", by=cast.facilitator, channel=Channel.IN_PERSON,
                 may_quote=False, attribution=Attribution.FIRST_NAME, session_id=session),
             say(app, cast, issue, "alex", "It happened twice")]
    app.withdraw_contribution(issue, later[1], cast.actors["alex"])
    for n in range(5):
        app.frame(issue, f"restatement {n}", "people", cast.manager)
    monkeypatch.setattr(contributions, "PAGE", 2)  # found several pages back
    with app.engine.connect() as conn:
        assert list(my_input.of_issue(conn, issue)) == [first]

    behind = app.contributions(app.issue(issue))
    app.projections.catch_up()
    caught_up = app.contributions(app.issue(issue))

    assert behind == caught_up
    assert [(c.id, c.withdrawn) for c in behind] == [(first, False), (later[0], False), (later[1], True)]
    on_behalf = behind[1]
    assert (on_behalf.contributor_id, on_behalf.entered_by, on_behalf.session_id, on_behalf.channel) == (
        str(cast.ids["jo"]), str(cast.ids["fran"]), str(session), "in_person")
    assert app.open_sealed(on_behalf.text) == "Missed the appointment"
