"""Messages due reach people: email over a real SMTP server, once each, through outages and restarts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from domain import Attribution, Channel, NotAllowed, RuleBroken
from domain.keeping_posted import keeping_posted_id
from service.bootstrap import Settings, open_application
from service.app.contact_schemas import ContactIn
from tests.conftest import Cast
from tests.mail_server import MailServer

EMAIL = {"ways": ["email"], "email": "alex@example.org"}


@pytest.fixture
def mail():
    server = MailServer().start()
    yield server
    server.stop()


def _open(store, mail: MailServer, **more):
    settings = Settings(**{"smtp_url": mail.url, "mail_from": "hub@coproduce.example", "notifications": "worker", **more})
    return open_application(store, projections_inline=True, settings=settings)


@pytest.fixture
def posted(store, mail):
    app = _open(store, mail)
    yield app
    app.close()


def _feedback(app, cast: Cast, words: str = "We asked the clinic to open on Saturdays.") -> str:
    issue = app.raise_issue(cast.hub, "Waiting times at the clinic", cast.manager)
    said = app.record_contribution(issue, cast.ids["alex"], "I waited four hours.", cast.expert,
                                   channel=Channel.ONLINE, may_quote=True, attribution=Attribution.NAME)
    app.give_feedback(issue, words, [said], cast.manager)
    return str(issue)


def test_an_expert_who_chose_email_gets_the_feedback_in_one_pass(posted, mail):
    # given
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load(EMAIL))
    _feedback(posted, cast)
    # when
    counts = posted.deliver_due()
    # then
    assert counts["sent"] == 1
    [message] = mail.messages
    assert message["To"] == "alex@example.org"
    assert "Cambridge & South" in message["Subject"]
    plain = message.get_body(("plain",)).get_content()
    assert "Waiting times at the clinic" in plain and "open on Saturdays" in plain
    assert "I waited four hours" not in plain  # her own words are not repeated, nor anyone's
    assert "ask at your hub" in plain
    assert message.get_body(("html",)) is not None
    assert posted.delivery_status()["sent"] == 1
    assert posted.deliver_due()["sent"] == 0 and len(mail.messages) == 1  # never twice


def test_nothing_goes_to_someone_who_chose_no_way(posted, mail):
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load({"ways": []}))
    _feedback(posted, cast)
    assert posted.deliver_due()["sent"] == 0
    assert mail.messages == [] and posted.delivery_status()["due"] == 0


def test_messages_wait_while_the_mail_server_is_down_and_go_once_it_is_back(posted, mail):
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load(EMAIL))
    _feedback(posted, cast)
    mail.stop()
    now = datetime.now(timezone.utc)
    for _ in range(12):  # however long it is down, no try counts against the message
        assert posted.deliver_due(now=now)["retry"] == 1
    assert posted.delivery_status()["failed"] == 0
    mail.start()
    assert posted.deliver_due(now=now + timedelta(minutes=1))["sent"] == 1
    assert len(mail.messages) == 1 and posted.delivery_status()["due"] == 0


def test_a_message_waiting_to_be_tried_again_is_dropped_once_its_input_is_withdrawn(posted, mail):
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load(EMAIL))
    issue = posted.raise_issue(cast.hub, "Waiting times at the clinic", cast.manager)
    said = posted.record_contribution(issue, cast.ids["alex"], "I waited four hours.", cast.expert,
                                      channel=Channel.ONLINE, may_quote=True, attribution=Attribution.NAME)
    posted.give_feedback(issue, "We asked the clinic to open on Saturdays.", [said], cast.manager)
    mail.stop()
    assert posted.deliver_due()["retry"] == 1 and posted.delivery_status()["to_try_again"] == 1
    posted.withdraw_contribution(issue, said, cast.expert)
    mail.start()
    assert posted.deliver_due(now=datetime.now(timezone.utc) + timedelta(hours=1))["sent"] == 0
    assert mail.messages == []
    status = posted.delivery_status()
    assert (status["due"], status["to_try_again"], status["sent"]) == (0, 0, 0)


def test_a_refused_address_is_marked_failed_with_its_reason(posted, mail):
    cast = Cast(posted)
    mail.keeper.refuse.add("alex@example.org")
    posted.choose_contact(cast.expert, ContactIn().load(EMAIL))
    _feedback(posted, cast)
    assert posted.deliver_due()["failed"] == 1
    status = posted.delivery_status()
    assert status["failed"] == 1 and status["due"] == 0
    [failed] = [e for e in posted.history(posted._keeping_posted(cast.ids["alex"]).id)
                if type(e).__name__ == "MessageFailed"]
    assert "550" in failed.reason and "alex@" not in failed.reason


def test_a_sender_that_died_after_sending_records_without_sending_again(store, mail):
    # given a sender that wrote the outcome and died before its event
    app = _open(store, mail)
    cast = Cast(app)
    app.choose_contact(cast.expert, ContactIn().load(EMAIL))
    _feedback(app, cast)
    app._record_outcomes = lambda: None  # dies before recording
    app.deliver_due()
    app.close()
    # when another starts
    again = _open(store, mail)
    counts = again.deliver_due()
    # then
    assert counts["sent"] == 0 and len(mail.messages) == 1
    assert again.delivery_status()["sent"] == 1
    again.close()


def test_a_weekly_round_up_sends_the_weeks_news_in_one_message_after_the_week(posted, mail):
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load({**EMAIL, "how_often": "weekly"}))
    _feedback(posted, cast, "First answer.")
    _feedback(posted, cast, "Second answer.")
    assert posted.deliver_due()["sent"] == 0
    assert posted.deliver_due(now=datetime.now(timezone.utc) + timedelta(days=7))["sent"] == 1
    [message] = mail.messages
    plain = message.get_body(("plain",)).get_content()
    assert "First answer." in plain and "Second answer." in plain
    assert posted.delivery_status()["sent"] == 2


def test_the_way_needs_its_details_and_a_facilitator_records_a_choice_only_at_a_session_of_the_hub(posted):
    cast = Cast(posted)
    session = posted.record_session(cast.hub, cast.facilitator, held_on=datetime(2024, 5, 9).date(),
                                    place="Ely", format="drop-in", experts_attended=5, staff_attended=2)
    choice = ContactIn().load({"ways": ["hub"]})
    posted.choose_contact_for(cast.ids["alex"], cast.hub, session, choice, cast.facilitator)
    assert posted.contact_of(cast.expert)["ways"] == ["hub"]
    with pytest.raises(NotAllowed):
        posted.choose_contact_for(cast.ids["alex"], cast.hub, session, choice, cast.actors["jo"])
    with pytest.raises(RuleBroken):
        posted.choose_contact(cast.expert, {"ways": ["email"], "topics": ["feedback"], "how_often": "each_time"})


def test_forgetting_a_person_drops_their_details_and_unsent_messages(posted, mail):
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load(EMAIL))
    _feedback(posted, cast)
    posted.forget(cast.ids["alex"], "the person", "their request", posted.account(cast.admin_id).as_actor())
    assert posted.delivery_status()["due"] == 0
    assert posted.deliver_due()["sent"] == 0 and mail.messages == []


def test_news_about_input_since_withdrawn_is_not_sent_unless_other_input_of_theirs_stands_in_it(posted, mail):
    # given feedback on one piece of Alex's input, and feedback on two others together, not yet sent
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load(EMAIL))
    issue = posted.raise_issue(cast.hub, "Waiting times at the clinic", cast.manager)
    said = [posted.record_contribution(issue, cast.ids["alex"], words, cast.expert, channel=Channel.ONLINE,
                                       may_quote=True, attribution=Attribution.NAME)
            for words in ("I waited four hours.", "Nobody said why.", "The chairs were broken.")]
    posted.give_feedback(issue, "We asked the clinic to open on Saturdays.", said[:1], cast.manager)
    posted.give_feedback(issue, "We asked the clinic to explain delays.", said[1:], cast.manager)
    assert posted.delivery_status()["due"] == 2
    # when she withdraws the first piece, and one of the other two
    for contribution in said[:2]:
        posted.withdraw_contribution(issue, contribution, cast.expert)
    # then the news about the first alone is not sent; the news that also answers the third still is
    for rebuilt in (False, True):  # the same from the whole log again
        if rebuilt:
            posted.projections.rebuild(["messages_due"])
        assert posted.delivery_status()["due"] == (0 if rebuilt else 1)
        if not rebuilt:
            assert posted.deliver_due()["sent"] == 1
    [message] = mail.messages
    plain = message.get_body(("plain",)).get_content()
    assert "explain delays" in plain and "Saturdays" not in plain
    assert posted.delivery_status().get("sent") == 1


def test_the_link_in_a_message_is_to_the_page_the_person_can_open(store, mail):
    """Someone with an account signs in to their page; someone met at a session, with no account,
    follows their input with the code on their receipt at /track."""
    app = _open(store, mail, site_url="https://coproduce.example.org")
    try:
        cast = Cast(app)
        issue = app.raise_issue(cast.hub, "Waiting times at the clinic", cast.manager)
        session = app.record_session(cast.hub, cast.facilitator, held_on=datetime(2024, 5, 9).date(), place="Ely",
                                     format="drop-in", experts_attended=5, staff_attended=2)
        kit = app.record_from_someone_new(issue, "Kit", "The chairs are broken.", cast.facilitator,
                                          channel=Channel.IN_PERSON, may_quote=True, attribution=Attribution.FIRST_NAME,
                                          session_id=session)
        app.choose_contact_for(kit.account_id, cast.hub, session, ContactIn().load({**EMAIL, "email": "kit@example.org"}),
                               cast.facilitator)
        app.choose_contact(cast.expert, ContactIn().load(EMAIL))
        said = app.record_contribution(issue, cast.ids["alex"], "I waited four hours.", cast.expert,
                                       channel=Channel.ONLINE, may_quote=True, attribution=Attribution.NAME)
        app.give_feedback(issue, "We asked the clinic for new chairs.", [said, kit.contribution_id], cast.manager)
        assert app.deliver_due()["sent"] == 2
        bodies = {message["To"]: message.get_body(("plain",)).get_content() for message in mail.messages}
        assert "See more with the code on your receipt: https://coproduce.example.org/track" in bodies["kit@example.org"]
        assert "See more on your page: https://coproduce.example.org/my-input" in bodies["alex@example.org"]
    finally:
        app.close()


def test_text_email_and_letter_go_through_the_notify_client_with_its_signed_token(store):
    from service.bootstrap import NOTIFY_WAYS
    from tests.notify_server import API_KEY, FakeNotify
    with FakeNotify() as notify:
        settings = Settings(notify_api_key=API_KEY, notify_url=notify.url, notifications="worker",
                            notify_templates=tuple((way, f"template-{way}") for way in NOTIFY_WAYS))
        app = open_application(store, projections_inline=True, settings=settings)
        cast = Cast(app)
        app.choose_contact(cast.expert, ContactIn().load({
            "ways": ["text", "email", "letter"], "email": "alex@example.org", "phone": "07700 900123",
            "postal_address": "Flat 2\n1 Fore Hill\nEly\nCB7 4AA"}))
        _feedback(app, cast)
        assert app.deliver_due()["sent"] == 3
        assert notify.refused == []
        sent = dict(notify.received)
        assert sent["/v2/notifications/sms"]["phone_number"] == "07700 900123"
        assert sent["/v2/notifications/email"]["template_id"] == "template-email"
        letter = sent["/v2/notifications/letter"]["personalisation"]
        assert letter["address_line_4"] == "CB7 4AA" and "open on Saturdays" in letter["body"]
        # a number Notify refuses is failed at once, with no number in the reason
        notify.refuse_numbers.add("07700 900999")
        app.choose_contact(cast.expert, ContactIn().load({"ways": ["text"], "phone": "07700 900999"}))
        _feedback(app, cast, "Another answer.")
        assert app.deliver_due()["failed"] == 1
        assert app.delivery_status()["failed"] == 1
        app.close()


def test_the_report_counts_feedback_that_reached_people_and_lists_input_nobody_can_be_told_of(posted, mail):
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load(EMAIL))
    issue = _feedback(posted, cast)
    posted.record_contribution(issue, cast.ids["jo"], "Jo's words.", cast.actors["jo"], channel=Channel.ONLINE,
                               may_quote=True, attribution=Attribution.NAME)
    report = posted.accountability(cast.hub, cast.manager)
    assert report["feedback_delivered"] == 0
    posted.deliver_due()
    report = posted.accountability(cast.hub, cast.manager)
    assert (report["feedback_delivered"], report["feedback_delivered_in_time"]) == (1, 1)
    [unreachable] = report["unreachable"]
    assert unreachable["issue_title"] == "Waiting times at the clinic" and "Jo" not in str(unreachable)


def test_the_report_counts_input_reached_by_a_later_answer_when_the_first_never_reached_its_author(posted, mail):
    # given feedback given before Alex chose a way to hear, so that it was never sent to him
    cast = Cast(posted)
    issue = _feedback(posted, cast)
    [said] = list(posted.issue(issue).contributors)
    posted.choose_contact(cast.expert, ContactIn().load(EMAIL))
    posted.deliver_due()
    assert posted.accountability(cast.hub, cast.manager)["feedback_delivered"] == 0
    # when the hub answers his input again, and that answer is emailed to him
    posted.give_feedback(issue, "The clinic now opens on Saturdays.", [said], cast.manager)
    assert posted.deliver_due()["sent"] == 1
    # then his input counts as reached, once
    report = posted.accountability(cast.hub, cast.manager)
    assert (report["feedback_delivered"], report["feedback_delivered_in_time"]) == (1, 1)
    assert report["unreachable"] == []


def test_the_timeline_says_how_many_people_the_feedback_reached_and_not_who(posted, mail):
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load(EMAIL))
    issue = _feedback(posted, cast)
    posted.deliver_due()
    [entry] = [e for e in posted.timeline(issue, cast.actors["jo"]) if e["kind"] == "FeedbackGiven"]
    assert entry["what"].endswith("It reached 1 person.") and "alex" not in entry["what"].lower()


def test_on_the_embedded_store_a_pass_runs_after_commands_without_a_worker(store, mail):
    if not store.is_sqlite:
        pytest.skip("the pass after commands is the embedded store's")
    app = _open(store, mail, notifications="inline")
    cast = Cast(app)
    app.choose_contact(cast.expert, ContactIn().load(EMAIL))
    _feedback(app, cast)
    app.close()  # waits for the pass under way
    assert len(mail.messages) == 1


def test_an_action_owner_is_reminded_a_week_before_and_weekly_while_overdue(posted, mail):
    from datetime import date
    cast = Cast(posted)
    owner = cast.actors["nadia"]
    posted.choose_contact(owner, ContactIn().load({"ways": ["email"], "email": "nadia@example.org",
                                                   "topics": ["actions"]}))
    issue = posted.raise_issue(cast.hub, "Waiting times at the clinic", cast.manager)
    said = posted.record_contribution(issue, cast.ids["alex"], "I waited.", cast.expert, channel=Channel.ONLINE,
                                      may_quote=True, attribution=Attribution.NAME)
    today = datetime.now(timezone.utc).replace(hour=12)  # an hour later is the same day, and so the same week
    posted.commit_action(issue, "Open on Saturdays", cast.ids["nadia"], (today + timedelta(days=20)).date(), [said],
                         cast.manager)
    assert posted.deliver_due()["sent"] == 0  # not due within a week yet
    assert posted.deliver_due(now=today + timedelta(days=14))["sent"] == 1
    assert posted.deliver_due(now=today + timedelta(days=15))["sent"] == 0  # once
    assert posted.deliver_due(now=today + timedelta(days=22))["sent"] == 1  # overdue this week
    assert posted.deliver_due(now=today + timedelta(days=22, hours=1))["sent"] == 0
    assert posted.deliver_due(now=today + timedelta(days=29))["sent"] == 1  # and next week
    assert [m["To"] for m in mail.messages] == ["nadia@example.org"] * 3
    assert "Open on Saturdays" in mail.messages[0].get_body(("plain",)).get_content()


def test_the_audit_trail_lists_choices_and_deliveries_without_any_detail(posted, mail):
    cast = Cast(posted)
    posted.choose_contact(cast.expert, ContactIn().load(EMAIL))
    _feedback(posted, cast)
    posted.deliver_due()
    auditor = posted.account(cast.admin_id).as_actor()
    rows = posted.audit_trail(auditor, limit=1000, aggregate="KeepingPosted")
    assert [row["kind"] for row in rows] == ["Started", "ContactChosen", "MessageSent"]
    assert "alex@" not in str(rows)
    # and no id ties the message to the person (their keeping-posted id is worked out from their account's)
    assert {row["aggregate_id"] for row in rows} == {None}
    assert str(keeping_posted_id(cast.ids["alex"])) not in str(rows)
