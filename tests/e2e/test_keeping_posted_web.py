"""The pages: "How we keep you posted", the session's last step, the hand-over sheet and its PDF,
and what reached a person shown on "What happened to my input"."""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime, timezone

import pytest

from domain import Attribution, Channel
from service import create_app
from service.bootstrap import Settings, open_application
from tests.conftest import Cast
from tests.mail_server import MailServer

PASSWORD = "a long enough password"


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("COPRODUCE_PROJECTIONS", "inline")
    app = create_app({"database_url": f"sqlite:///{tmp_path}/web.db", "rate_limit": "100000 per minute",
                      "sign_in_limit": "1000 per minute"})
    app.config["SESSION_COOKIE_SECURE"] = False
    yield app
    app.extensions["coproduce"].close()


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _signed_in(site, app, cast: Cast, username: str):
    app.set_password(cast.ids[username], PASSWORD)
    client = site.test_client()
    client.post("/sign-in", data={"username": username, "password": PASSWORD, "csrf_token": _token(
        client.get("/sign-in").text)})
    return client


def _post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": _token(client.get(path).text)})


def test_a_person_chooses_how_to_hear_and_a_bad_address_is_named_and_records_nothing(site):
    app = site.extensions["coproduce"]
    cast = Cast(app)
    alex = _signed_in(site, app, cast, "alex")
    page = alex.get("/me/contact")
    assert page.status_code == 200 and "How we keep you posted" in page.text
    before = app.recorder.max_notification_id()
    wrong = _post(alex, "/me/contact", {"ways": ["email", "text"], "topics": ["feedback"], "how_often": "each_time",
                                        "email": "alex at home", "phone": "<b>12</b>"})
    assert wrong.status_code == 422
    assert "There is a problem" in wrong.text and "Your email address" in wrong.text
    assert "Your mobile phone number" in wrong.text and "<b>12</b>" not in wrong.text
    assert app.recorder.max_notification_id() == before
    done = _post(alex, "/me/contact", {"ways": ["email"], "topics": ["feedback"], "how_often": "weekly",
                                       "email": "alex@example.org"})
    assert done.status_code == 303
    again = alex.get("/me/contact").text
    assert 'value="alex@example.org"' in again and 'value="weekly" checked' in again


def test_the_hand_over_sheet_prints_and_ticking_records_delivery_shown_on_my_input(site):
    app = site.extensions["coproduce"]
    cast = Cast(app)
    fran = _signed_in(site, app, cast, "fran")
    today = datetime.now(timezone.utc).date()  # a hand-over is at a session held once the news came
    session = app.record_session(cast.hub, cast.facilitator, held_on=today, place="Ely",
                                 format="drop-in", experts_attended=6, staff_attended=2)
    step = f"/hubs/{cast.hub}/sessions/{session}/keeping-posted"
    chosen = _post(fran, step, {"person_id": str(cast.ids["alex"]), "ways": ["hub"], "topics": ["feedback"],
                                "how_often": "each_time"})
    assert chosen.status_code == 303
    assert app.contact_of(cast.expert)["ways"] == ["hub"]
    issue = app.raise_issue(cast.hub, "Bus fares to the clinic", cast.manager)
    said = app.record_contribution(issue, cast.ids["alex"], "The bus costs too much.", cast.expert,
                                   channel=Channel.ONLINE, may_quote=True, attribution=Attribution.NAME)
    app.give_feedback(issue, "The council will pay the fare for clinic visits.", [said], cast.manager)
    sheet = fran.get(f"/hubs/{cast.hub}/hand-over")
    assert sheet.status_code == 200 and "Alex Example" in sheet.text and "pay the fare" in sheet.text
    assert "The bus costs too much" not in sheet.text
    pdf = fran.get(f"/hubs/{cast.hub}/hand-over.pdf")
    assert pdf.mimetype == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
    assert "Alex Example" in text and "pay the fare" in text
    key = re.search(r'name="message_keys" type="checkbox" value="([^"]+)"', sheet.text).group(1)
    assert _post(fran, f"/hubs/{cast.hub}/hand-over", {"message_keys": [key]}).status_code == 422  # no session
    ticked = _post(fran, f"/hubs/{cast.hub}/hand-over", {"session_id": str(session), "message_keys": [key]})
    assert ticked.status_code == 303
    assert "no news waiting" in fran.get(f"/hubs/{cast.hub}/hand-over").text
    alex = _signed_in(site, app, cast, "alex")
    assert f"Given to you at the Ely drop-in on {today.day} {today:%B %Y}." in alex.get("/my-input").text
    jo = _signed_in(site, app, cast, "jo")
    assert jo.get(f"/hubs/{cast.hub}/hand-over").status_code == 403
    assert jo.get(step).status_code == 403


def test_my_input_says_when_we_emailed_the_feedback(tmp_path):
    mail = MailServer().start()
    try:
        settings = Settings(smtp_url=mail.url, mail_from="hub@coproduce.example", notifications="worker")
        from service.infra.store import Store
        app = open_application(Store.parse(f"sqlite:///{tmp_path}/m.db"), projections_inline=True, settings=settings)
        cast = Cast(app)
        app.choose_contact(cast.expert, {"ways": ["email"], "topics": ["feedback"], "how_often": "each_time",
                                         "email": "alex@example.org", "phone": "", "postal_address": ""})
        issue = app.raise_issue(cast.hub, "Bus fares to the clinic", cast.manager)
        said = app.record_contribution(issue, cast.ids["alex"], "Too dear.", cast.expert, channel=Channel.ONLINE,
                                       may_quote=True, attribution=Attribution.NAME)
        app.give_feedback(issue, "The council will pay.", [said], cast.manager)
        app.deliver_due()
        [story] = app.my_input_page(cast.expert, 0, 10).stories
        [feedback] = [f for f in story["fates"] if f["kind"] == "feedback"]
        today = date.today()
        assert feedback["news"][0]["said"] == f"We emailed you this on {today.day} {today:%B %Y}."
        app.close()
    finally:
        mail.stop()
