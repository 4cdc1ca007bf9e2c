"""Ways in without an account, through the pages: someone new at a drop-in, their receipt, following it by
code with no sign-in, a hub's public page, its feed and its poster; wrong codes limited."""

from __future__ import annotations

import re
import subprocess
from datetime import date

import pytest

from tests.e2e.conftest import PASSWORD

CODE = re.compile(r"[2-9A-Z]{5}-[2-9A-Z]{5}-[2-9A-Z]{5}")


def token_on(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(world, name: str):
    world.app.credentials.set_password(world.ids[name], PASSWORD)
    client = world.client.application.test_client()
    answer = client.post("/sign-in", data={"username": name, "password": PASSWORD,
                                           "csrf_token": token_on(client.get("/sign-in").text)})
    assert answer.status_code == 303
    return client


def session_fields(world, client, **row) -> dict[str, str]:
    """The session form as the facilitator fills it in: one piece of input from someone new."""
    shown = client.get(f"/hubs/{world.hubs['own']}/sessions/new").text
    form = {"csrf_token": token_on(shown), "version": re.search(r'name="version" value="(\d+)"', shown).group(1),
            "rows": "1", "held_on": "2026-03-06", "place": "Library", "format": "drop-in", "experts_attended": "5",
            "staff_attended": "1", "row1-issue_id": str(world.issues["own"]), "row1-contributor_id": "new",
            "row1-text": "The bus stops too far from the hostel", "row1-may_quote": "yes",
            "row1-attribution": "first_name", "row1-new_name": "Kit", "row1-keep_copy": "yes"}
    form.update({f"row1-{k}": v for k, v in row.items()})
    return form


def session_form(world, client, **row):
    return client.post(f"/hubs/{world.hubs['own']}/sessions/new", data=session_fields(world, client, **row))


def test_a_session_form_sent_twice_records_once(world):
    # given a facilitator who sends the form, then sends the very same form again (back, then send)
    facilitator = signed_in(world, "facilitator")
    hub = world.hubs["own"]
    form = session_fields(world, facilitator, text="Sent twice")
    sessions = len(world.app.hub(hub).sessions)
    assert facilitator.post(f"/hubs/{hub}/sessions/new", data=form).status_code == 200
    # when
    again = facilitator.post(f"/hubs/{hub}/sessions/new", data=form)
    # then: refused, saying why, and only the first is recorded
    assert again.status_code == 422 and "perhaps this one, sent twice" in again.text
    assert len(world.app.hub(hub).sessions) == sessions + 1
    said = [c for c in world.app.contributions(world.app.issue(world.issues["own"]))
            if world.app.open_sealed(c.text) == "Sent twice"]
    assert len(said) == 1


def stranger(world):
    client = world.client.application.test_client()
    return client, token_on(client.get("/track").text)


def test_someone_new_gets_a_receipt_and_follows_it_with_no_account(world):
    # given a facilitator at a drop-in
    facilitator = signed_in(world, "facilitator")
    # when they record what someone new said
    answer = session_form(world, facilitator)
    # then the receipt shows the code once, with the words, a QR code and how to ask at the hub
    assert answer.status_code == 200, answer.text
    code = CODE.search(answer.text).group(0)
    assert "The bus stops too far from the hostel" in answer.text and "data:image/svg+xml" in answer.text
    assert "Ask at Own hub" in answer.text
    pdf = facilitator.post("/receipts/print", data={"code": code, "keep_copy": "true",
                                                    "csrf_token": token_on(answer.text)})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    # and a stranger with the code, in lower case and without dashes, sees that input and nothing else
    client, token = stranger(world)
    tracked = client.post("/track", data={"code": code.lower().replace("-", ""), "csrf_token": token})
    assert tracked.status_code == 200 and "The bus stops too far from the hostel" in tracked.text
    assert "my words" not in tracked.text and "Ask at your hub, Own hub" in tracked.text
    assert "Withdraw" not in tracked.text and "/issues/" not in tracked.text
    assert client.get(f"/track/{code}").status_code == 200
    assert tracked.headers["Cache-Control"] == "no-store"


def test_a_wrong_a_reissued_and_a_forgotten_code_answer_the_same(world):
    facilitator = signed_in(world, "facilitator")
    first = CODE.search(session_form(world, facilitator).text).group(0)
    second = CODE.search(session_form(world, facilitator, new_name="").text).group(0)
    person = world.app.tracked(first).account_id
    page = facilitator.get(f"/someone-new/{person}/new-code")
    renewed = facilitator.post(f"/someone-new/{person}/new-code", data={"csrf_token": token_on(page.text)})
    new = CODE.search(renewed.text).group(0)
    world.app.forget(world.app.tracked(second).account_id, "the person", "asked at the hub", world.app.actor_for("admin"))
    client, token = stranger(world)
    refusals = [client.post("/track", data={"code": typed, "csrf_token": token})
                for typed in (first, second, "KX7QP-42M9D-PDWTA", "<b>x</b>")]
    assert {r.status_code for r in refusals} == {404}
    assert all("We could not find that code" in r.text for r in refusals)
    assert len({re.sub(r'(value|nonce)="[^"]*"', "", r.text) for r in refusals}) == 1  # one page, whatever was typed
    assert client.post("/track", data={"code": new, "csrf_token": token}).status_code == 200


def test_the_21st_wrong_code_from_one_address_is_refused(world):
    client, token = stranger(world)
    answers = [client.post("/track", data={"code": f"AAAAA-AAAAA-AAA{i:02d}", "csrf_token": token}).status_code
               for i in range(21)]
    assert answers == [404] * 20 + [429]
    assert client.get("/track/AAAAA-AAAAA-AAAAA").status_code == 429


def test_wrong_codes_for_printing_a_receipt_again_count_as_wrong_codes_too(world):
    expert = signed_in(world, "expert")
    token = token_on(expert.get("/sign-out").text)
    answers = [expert.post("/receipts/print", data={"code": f"AAAAA-AAAAA-AAA{i:02d}", "csrf_token": token}).status_code
               for i in range(21)]
    assert answers == [404] * 20 + [429]
    assert expert.get("/track/AAAAA-AAAAA-AAAAA").status_code == 429  # one count, whichever page the codes were tried on


def test_only_the_hubs_staff_act_for_someone_new(world):
    facilitator = signed_in(world, "facilitator")
    code = CODE.search(session_form(world, facilitator).text).group(0)
    person = world.app.tracked(code).account_id
    expert = signed_in(world, "expert")
    assert expert.get(f"/someone-new/{person}/new-code").status_code == 403
    assert signed_in(world, "manager2").get(f"/someone-new/{person}/new-code").status_code == 404
    assert world.client.application.test_client().get(f"/someone-new/{person}/new-code").status_code == 302


def test_a_published_hub_shows_quotable_words_and_what_was_done_and_disappears_when_turned_off(world):
    app, hub = world.app, world.hubs["own"]
    facilitator = signed_in(world, "facilitator")
    session_form(world, facilitator)
    session_form(world, facilitator, text="CANARY-UNQUOTED words", may_quote="no", new_name="CANARYNAME",
                 attribution="anonymous")
    manager = app.actor_for("hub_manager")
    issue = app.issue_as_seen(world.issues["own"], manager)
    app.give_feedback(world.issues["own"], "A new stop opens in May", [c["id"] for c in issue["contributions"]],
                      manager)
    app.summarise_issue(world.issues["own"], "Buses do not stop near the hostel", manager)
    public = world.client.application.test_client()
    assert public.get(f"/public/hubs/{hub}").status_code == 404  # off until the hub chooses
    managing = signed_in(world, "hub_manager")
    setting = managing.get(f"/hubs/{hub}/publishing")
    assert managing.post(f"/hubs/{hub}/publishing", data={"publish": "on", "csrf_token": token_on(setting.text)}
                         ).status_code == 303
    page = public.get(f"/public/hubs/{hub}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "public, no-cache"
    for shown in ("Buses do not stop near the hostel", "The bus stops too far from the hostel", "– Kit",
                  "Do something", "A new stop opens in May"):
        assert shown in page.text
    for hidden in ("CANARY", "my words"):
        assert hidden not in page.text
    assert public.get(f"/public/hubs/{hub}", headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    feed = public.get(f"/public/hubs/{hub}/feed.atom")
    assert feed.mimetype == "application/atom+xml" and "We told people: A new stop opens in May" in feed.text
    poster = public.get(f"/public/hubs/{hub}/poster.pdf")
    text = subprocess.run(["pdftotext", "-", "-"], input=poster.data, capture_output=True, check=True).stdout.decode()
    assert "The bus stops too far from the hostel" in " ".join(text.split())
    assert "A new stop opens in May" in text and "CANARY" not in text
    assert public.get(f"/public/hubs/{hub}/poster?start=2026-13-01").status_code == 422
    # when the manager turns the page off, it is gone at once
    managing.post(f"/hubs/{hub}/publishing", data={"publish": "off", "csrf_token": token_on(setting.text)})
    for path in ("", "/feed.atom", "/poster", "/poster.pdf"):
        assert public.get(f"/public/hubs/{hub}{path}").status_code == 404
    assert signed_in(world, "expert").post(f"/hubs/{hub}/publishing", data={
        "publish": "on", "csrf_token": token_on(setting.text)}).status_code in (400, 403)


def test_a_canary_in_unquotable_words_and_unnamed_names_is_found_nowhere_public(world):
    # given input not to be quoted, and a name given by someone who asked not to be named
    app, hub = world.app, world.hubs["own"]
    facilitator = signed_in(world, "facilitator")
    hidden = CODE.search(session_form(world, facilitator, text="CANARY-WORDS one", may_quote="no",
                                      new_name="CANARY-NAME", attribution="anonymous").text).group(0)
    shown = CODE.search(session_form(world, facilitator, new_name="CANARY-NAME-TWO", attribution="anonymous",
                                     text="Quotable, named by nobody").text).group(0)
    manager = app.actor_for("hub_manager")
    every_input = [c["id"] for c in app.issue_as_seen(world.issues["own"], manager)["contributions"]]
    app.give_feedback(world.issues["own"], "We asked the bus company", every_input, manager)
    app.publish_hub(hub, manager)
    # when the public reads everything public there is, and the other person's code and receipt
    public, token = stranger(world)
    answers = [public.get(f"/public/hubs/{hub}{path}") for path in ("", "/feed.atom", "/poster")]
    answers.append(public.post("/track", data={"code": shown, "csrf_token": token}))
    receipt = facilitator.post("/receipts/print", data={"code": shown, "keep_copy": "true",
                                                        "csrf_token": token_on(facilitator.get("/sign-out").text)})
    poster = public.get(f"/public/hubs/{hub}/poster.pdf")
    pdfs = [subprocess.run(["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True).stdout.decode()
            for pdf in (receipt, poster)]
    # then the canary is nowhere, though the quotable words and the answer are there
    assert all(a.status_code == 200 for a in answers)
    everything = "".join(a.text for a in answers) + "".join(pdfs)
    assert "CANARY" not in everything
    assert "Quotable, named by nobody" in answers[0].text and "an expert who asked not to be named" in answers[0].text
    assert "We told people: We asked the bus company" in answers[1].text
    assert app.tracked(hidden).page.stories[0]["text"] == "CANARY-WORDS one"  # the person themselves sees theirs


@pytest.mark.parametrize("row, field", [({"new_name": "K" * 61}, "row1-new_name"),
                                        ({"contributor_id": "<script>"}, "row1-contributor_id"),
                                        ({"keep_copy": "perhaps"}, "row1-keep_copy")])
def test_a_bad_someone_new_block_is_refused_by_name_and_records_nothing(world, row, field):
    facilitator = signed_in(world, "facilitator")
    before = world.app.recorder.max_notification_id()
    answer = session_form(world, facilitator, **row)
    assert answer.status_code == 422 and f'href="#{field}"' in answer.text
    assert world.app.recorder.max_notification_id() == before


def test_odd_input_is_answered_without_a_server_error_and_changes_nothing(world):
    app, hub, issue = world.app, world.hubs["own"], world.issues["own"]
    manager = signed_in(world, "hub_manager")
    form = manager.get(f"/issues/{issue}/summary")
    before = app.recorder.max_notification_id()
    version = re.search(r'name="version" value="(\d+)"', form.text).group(1)
    two_lines = manager.post(f"/issues/{issue}/summary", data={"summary": "One\r\nTwo", "version": version,
                                                               "csrf_token": token_on(form.text)})
    assert two_lines.status_code == 422 and "one line" in two_lines.text
    long = world.call("hub_manager", "POST", f"/api/v1/issues/{issue}/summary", json={"summary": "x" * 161})
    other_session = world.call("facilitator", "POST", f"/api/v1/issues/{issue}/someone-new", json={
        "text": "words", "may_quote": True, "attribution": "name", "session_id": str(world.sessions["other"])})
    assert (long.status_code, other_session.status_code) == (422, 404)
    assert app.recorder.max_notification_id() == before
    public = world.client.application.test_client()
    unknown, unpublished = public.get(f"/public/hubs/{world.issues['own']}"), public.get(f"/public/hubs/{hub}")
    assert unknown.status_code == unpublished.status_code == 404
    assert public.get("/public/hubs/not-a-uuid").status_code == 404
    stale = manager.post(f"/issues/{issue}/summary", data={"summary": "Fine", "version": "1",
                                                           "csrf_token": token_on(form.text)})
    assert stale.status_code == 422 and "Someone else changed this issue" in stale.text
    assert world.call("admin", "POST", f"/api/v1/hubs/{hub}/publishing", json={"published": False}).status_code == 409
    assert app.recorder.max_notification_id() == before


def test_a_replayed_request_for_someone_new_records_nothing_twice_and_never_repeats_the_code(world):
    body = {"name": "Kit", "text": "The bus", "may_quote": True, "attribution": "first_name",
            "session_id": str(world.sessions["own"])}
    path, key = f"/api/v1/issues/{world.issues['own']}/someone-new", {"Idempotency-Key": "drop-in-kit-1"}
    first = world.call("facilitator", "POST", path, json=body, headers=key)
    head = world.app.recorder.max_notification_id()
    again = world.call("facilitator", "POST", path, json=body, headers=key)
    assert first.status_code == again.status_code == 201 and CODE.fullmatch(first.json["code"])
    assert again.headers["Idempotent-Replayed"] == "true" and "code" not in again.json
    assert again.json["contribution_id"] == first.json["contribution_id"]
    assert world.app.recorder.max_notification_id() == head


def test_someone_new_says_with_their_code_whether_the_words_written_down_are_right(world):
    # given: two people new at a drop-in, each with a code
    facilitator = signed_in(world, "facilitator")
    kit = CODE.search(session_form(world, facilitator, text="The bus stops too far").text).group(0)
    sam = CODE.search(session_form(world, facilitator, text="Sam's own words", new_name="Sam").text).group(0)
    issue = world.app.issue(world.issues["own"])
    written = {world.app.open_sealed(c.text): c.id for c in world.app.contributions(issue)}
    kits, sams = written["The bus stops too far"], written["Sam's own words"]
    client, token = stranger(world)
    page = client.get(f"/track/{kit}")
    assert "— is this right?" in page.text and f"/track/{kit}/input/" in page.text
    before = world.app.issue(world.issues["own"]).version
    # when: a wrong code, or Kit's code on Sam's words, tries to confirm or correct
    assert client.post(f"/track/AAAAA-AAAAA-AAAAA/input/{issue.id}/{kits}/confirm",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"/track/{kit}/input/{issue.id}/{sams}/correct",
                       data={"csrf_token": token, "text": "Not Sam's"}).status_code in (403, 404)
    # then nothing changed
    assert world.app.issue(world.issues["own"]).version == before
    # when: Kit corrects their own words with their code
    form = client.get(f"/track/{kit}/input/{issue.id}/{kits}/correct")
    assert form.status_code == 200 and "The bus stops too far" in form.text
    answer = client.post(f"/track/{kit}/input/{issue.id}/{kits}/correct",
                         data={"csrf_token": token_on(form.text), "text": "The bus stops are too far from the hostel"})
    # then their code's page and the manager's issue show their words
    assert answer.status_code == 303
    assert "The bus stops are too far from the hostel" in client.get(f"/track/{kit}").text
    manager = signed_in(world, "hub_manager")
    assert "The bus stops are too far from the hostel" in manager.get(f"/issues/{issue.id}").text
    # and Sam confirms theirs, which then asks no more
    assert client.post(f"/track/{sam}/input/{issue.id}/{sams}/confirm",
                       data={"csrf_token": token}).status_code == 303
    assert "— is this right?" not in client.get(f"/track/{sam}").text


ISSUE_REFUSED = "Input 2: About which issue? must be one of this hub&#39;s open issues"


@pytest.mark.parametrize("refused, said", [
    ({"row2-issue_id": "other issue"}, ISSUE_REFUSED),
    ({"row2-issue_id": "00000000-0000-4000-8000-000000000000"}, ISSUE_REFUSED),
    ({"row2-contributor_id": "hub_manager"}, "Input 2: Who said it? must be one of this hub&#39;s experts"),
])
def test_a_session_form_with_a_piece_the_rules_refuse_records_nothing_and_names_it(world, refused, said):
    # given a session form whose first piece, from someone new, is right, and whose second is not
    facilitator = signed_in(world, "facilitator")
    form = {**session_fields(world, facilitator), "rows": "2", "row2-issue_id": str(world.issues["own"]),
            "row2-contributor_id": str(world.ids["expert"]), "row2-text": "A second piece", "row2-may_quote": "yes",
            "row2-attribution": "name"}
    chosen = {"other issue": str(world.issues["other"]), "hub_manager": str(world.ids["hub_manager"])}
    form.update({key: chosen.get(value, value) for key, value in refused.items()})
    before = world.app.recorder.max_notification_id()
    # when it is sent
    answer = facilitator.post(f"/hubs/{world.hubs['own']}/sessions/new", data=form)
    # then the piece is named beside its field, what was typed is kept, and nothing at all is recorded
    assert answer.status_code == 422, answer.text
    assert answer.text.count(said) == 2, answer.text  # in the summary, and beside the field
    assert "The bus stops too far from the hostel" in answer.text
    assert world.app.recorder.max_notification_id() == before


def test_a_poster_and_a_feed_give_the_site_s_own_address_whatever_host_the_request_claims(world, monkeypatch):
    # given a published hub, and the site's address set, as operators set it behind a proxy
    hub = world.hubs["own"]
    managing = signed_in(world, "hub_manager")
    setting = managing.get(f"/hubs/{hub}/publishing")
    published = managing.post(f"/hubs/{hub}/publishing", data={"publish": "on", "csrf_token": token_on(setting.text)})
    assert published.status_code == 303, published.text
    monkeypatch.setattr(world.app.wiring, "site_url", "https://coproduce.example.org/")
    public = world.client.application.test_client()
    for path in (f"/public/hubs/{hub}/poster", f"/public/hubs/{hub}/feed.atom"):
        # when a request claims another Host
        answer = public.get(path, headers={"Host": "evil.example"})
        # then the addresses given are the site's
        assert answer.status_code == 200, (path, answer.text)
        assert f"https://coproduce.example.org/public/hubs/{hub}" in answer.text, path
        assert "evil.example" not in answer.text, path


def test_the_poster_marks_no_input_the_public_may_not_know_of(world):
    # given feedback that answers only input not to be quoted (the world's own), on a published hub
    app, hub, manager = world.app, world.hubs["own"], world.app.actor_for("hub_manager")
    app.give_feedback(world.issues["own"], "ANSWER-to-unquotable-input", [world.contributions["own"]], manager)
    managing = signed_in(world, "hub_manager")
    setting = managing.get(f"/hubs/{hub}/publishing")
    managing.post(f"/hubs/{hub}/publishing", data={"publish": "on", "csrf_token": token_on(setting.text)})
    # when the public reads the poster
    poster = world.client.application.test_client().get(f"/public/hubs/{hub}/poster")
    # then there is no "you said something about" for it, nor its answer
    assert poster.status_code == 200
    assert "ANSWER-to-unquotable-input" not in poster.text and "You said something about" not in poster.text
