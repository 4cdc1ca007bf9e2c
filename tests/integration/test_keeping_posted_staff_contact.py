"""Ways to hear set by staff on someone's word: news about input given with no name is not sent to them,
the person is told of the change and sees it on their page; a hand-over is never dated before its news;
a new code's receipt lists only what the staff member giving it wrote down."""

from __future__ import annotations

from datetime import date, datetime, timezone
from uuid import uuid4

import pytest

from domain import Attribution, Channel
from domain.keeping_posted import KeepingPosted
from service.app.contact_schemas import ContactIn
from service.app.deliveries import HandOverRefused
from tests.conftest import Cast
from tests.integration.test_deliveries import _open, mail  # noqa: F401  (the mail server fixture)

SPY = {"ways": ["email"], "email": "fran-spy@example.org"}


@pytest.fixture
def posted(store, mail):  # noqa: F811
    app = _open(store, mail)
    yield app
    app.close()


def _session(app, cast: Cast, held_on: date | None = None):
    return app.record_session(cast.hub, cast.facilitator, held_on=held_on or datetime.now(timezone.utc).date(),
                              place="Library", format="drop-in", experts_attended=5, staff_attended=2)


def _feedback_on(app, cast: Cast, attribution: Attribution, words: str) -> None:
    issue = app.raise_issue(cast.hub, f"An issue given {attribution.value}", cast.manager)
    said = app.record_contribution(issue, cast.ids["alex"], "What I said.", cast.expert, channel=Channel.ONLINE,
                                   may_quote=False, attribution=attribution)
    app.give_feedback(issue, words, [said], cast.manager)


def test_news_about_unnamed_input_is_not_sent_to_ways_staff_set_until_the_person_sets_their_own(posted, mail):
    # given ways set by a facilitator, and news about anonymous and about named input
    cast = Cast(posted)
    posted.choose_contact_for(cast.ids["alex"], cast.hub, _session(posted, cast), ContactIn().load(SPY),
                              cast.facilitator)
    _feedback_on(posted, cast, Attribution.ANONYMOUS, "Answer about the unnamed input.")
    _feedback_on(posted, cast, Attribution.NAME, "Answer about the named input.")
    # when
    counts = posted.deliver_due()
    # then only the news about named input went; the rest waits on the person's own page
    assert counts["sent"] == 1
    assert [m.get_body(("plain",)).get_content() for m in mail.messages if "unnamed" in str(m)] == []
    assert "named input" in mail.messages[0].get_body(("plain",)).get_content()
    assert posted.delivery_status()["due"] == 1
    mine = posted.my_input_page(cast.expert, 0, 10).stories
    assert any(f["summary"] == "Answer about the unnamed input." for s in mine for f in s["fates"])
    # when the person sets their ways themselves, the held news goes
    posted.choose_contact(cast.expert, ContactIn().load({"ways": ["email"], "email": "alex@example.org"}))
    assert posted.deliver_due()["sent"] == 1
    assert mail.messages[-1]["To"] == "alex@example.org"
    assert "unnamed input" in mail.messages[-1].get_body(("plain",)).get_content()


def test_held_news_does_not_stop_other_news_going(posted, mail):
    cast = Cast(posted)
    posted.choose_contact_for(cast.ids["alex"], cast.hub, _session(posted, cast), ContactIn().load(SPY),
                              cast.facilitator)
    for n in range(3):
        _feedback_on(posted, cast, Attribution.ANONYMOUS, f"Held answer {n}.")
    posted.choose_contact(cast.actors["jo"], ContactIn().load({"ways": ["email"], "email": "jo@example.org"}))
    issue = posted.raise_issue(cast.hub, "Jo's issue", cast.manager)
    said = posted.record_contribution(issue, cast.ids["jo"], "Words.", cast.actors["jo"], channel=Channel.ONLINE,
                                      may_quote=True, attribution=Attribution.ANONYMOUS)
    posted.give_feedback(issue, "Jo's answer.", [said], cast.manager)
    assert posted.deliver_due(limit=2)["sent"] == 1  # three held before it, a batch of two: it still goes
    assert [m["To"] for m in mail.messages] == ["jo@example.org"]


def test_the_person_is_told_at_their_old_address_and_sees_who_changed_their_ways(posted, mail):
    # given Alex chose email herself
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load({"ways": ["email"], "email": "alex@example.org"}))
    assert posted.contact_of(cast.expert)["changed_by_someone_else"] is False
    # when a facilitator replaces it at a session
    posted.choose_contact_for(cast.ids["alex"], cast.hub, _session(posted, cast), ContactIn().load(SPY),
                              cast.facilitator)
    # then she is told at the address she had, who did it, where, and to tell her hub
    [notice] = mail.messages
    assert notice["To"] == "alex@example.org"
    plain = notice.get_body(("plain",)).get_content()
    assert "Fran Example changed how we keep you posted" in plain and "Library drop-in" in plain
    assert "tell your hub" in plain and "fran-spy" not in plain
    # and her page says who last changed them and when
    mine = posted.contact_of(cast.expert)
    assert mine["changed_by_someone_else"] is True and mine["last_changed_by"] == "Fran Example"
    assert "Library drop-in" in mine["last_changed_at"] and mine["last_changed_on"] is not None
    # and once she chooses again herself, no one else is named
    posted.choose_contact(cast.expert, ContactIn().load({"ways": []}))
    again = posted.contact_of(cast.expert)
    assert again["changed_by_someone_else"] is False and again["last_changed_by"] is None


def test_the_person_is_told_at_an_address_on_file_even_if_they_chose_not_to_hear_by_it(posted, mail):
    # given Alex chose to hear nothing, but left her email address on file
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load({"ways": [], "email": "alex@example.org"}))
    # when a facilitator sets her to hear by email, at an address of theirs
    posted.choose_contact_for(cast.ids["alex"], cast.hub, _session(posted, cast), ContactIn().load(SPY),
                              cast.facilitator)
    # then the notice goes to the address Alex had on file
    [notice] = mail.messages
    assert notice["To"] == "alex@example.org"


def test_a_choice_recorded_by_an_earlier_release_loads_and_counts_as_the_persons_own():
    # given a ContactChosen as an earlier release stored it: no by_themselves, a facilitator as actor
    kept = KeepingPosted(person_id=uuid4())
    old = object.__new__(KeepingPosted.ContactChosen)
    old.__dict__.update(originator_id=kept.id, originator_version=kept.version + 1,
                        timestamp=datetime.now(timezone.utc), ways=["email"], topics=["feedback"],
                        how_often="each_time", details="sealed", session_id=str(uuid4()),
                        actor={"id": str(uuid4()), "role": "facilitator"})
    # when
    old.mutate(kept)
    # then
    assert kept.ways == ["email"] and kept.set_by_them is True


def test_a_hand_over_at_a_session_held_before_the_news_is_refused_naming_the_field(posted):
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load({"ways": ["hub"]}))
    _feedback_on(posted, cast, Attribution.NAME, "Answer.")
    [item] = posted.hand_over_sheet(cast.hub, cast.facilitator)
    with pytest.raises(HandOverRefused) as refused:
        posted.hand_over(cast.hub, _session(posted, cast, date(2023, 3, 21)), [item["message_key"]], cast.facilitator)
    assert refused.value.field == "session_id" and "21 March 2023" in refused.value.why
    assert len(posted.hand_over_sheet(cast.hub, cast.facilitator)) == 1  # nothing recorded
    assert posted.hand_over(cast.hub, _session(posted, cast), [item["message_key"]], cast.facilitator) == 1


def test_a_new_code_receipt_lists_only_the_input_its_giver_wrote_down(posted):
    # given someone new whose unnamed input Fran wrote down
    cast = Cast(posted)
    issue = posted.raise_issue(cast.hub, "The hostel curfew", cast.manager)
    welcome = posted.record_from_someone_new(issue, "Kim Lowe", "Words.", cast.facilitator,
                                             channel=Channel.IN_PERSON, may_quote=False,
                                             attribution=Attribution.ANONYMOUS, session_id=_session(posted, cast))
    # when the hub manager gives a new code for a lost receipt
    code = posted.reissue_code(welcome.account_id, cast.manager)
    # then the receipt made for the manager lists none of their issues; Fran's lists the one she wrote down
    assert posted.receipt(code, cast.manager).page.stories == []
    assert [s["issue_title"] for s in posted.receipt(code, cast.facilitator).page.stories] == ["The hostel curfew"]
    assert posted.receipt(code, cast.manager).summaries == {}
    assert posted.tracked(code).page.stories  # the person themselves still reads it all with the code
