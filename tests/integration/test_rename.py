"""Renaming an issue reaches every read model that shows its title; its history keeps the old one."""

from datetime import date

from domain import Attribution, Channel


def test_a_renamed_issue_shows_its_new_title_everywhere_and_its_old_one_in_the_history(app, cast):
    # given an issue with input and an owned action
    issue = app.raise_issue(cast.hub, "GP registration", cast.expert)
    said = app.record_contribution(issue, cast.ids["alex"], "They sent me away", cast.expert,
                                   channel=Channel.ONLINE, may_quote=True, attribution=Attribution.NAME)
    app.commit_action(issue, "Brief reception teams", cast.ids["nadia"], date(2030, 1, 1), [said], cast.manager)
    # when its manager renames it
    app.rename_issue(issue, "Registering with a GP without a fixed address", cast.manager)
    # then
    new = "Registering with a GP without a fixed address"
    assert [i.title for i in app.board_issues(cast.hub, cast.manager)] == [new]
    assert app.my_input_page(cast.expert, 0, 20).stories[0]["issue_title"] == new
    assert app.actions_owned(cast.actors["nadia"])[0]["issue_title"] == new
    history = app.timeline(issue, cast.expert)
    assert "GP registration" in history[0]["what"]
    assert history[-1]["what"] == f"renamed the issue to “{new}”" and history[-1]["who"] == "Sam Example"
