"""The web pages through Flask's test client: sign-in, CSRF, headers, access, and bad or stale forms."""

from __future__ import annotations

import re
from uuid import UUID

import psycopg
import pytest

from service import create_app
from service.demo.load import DEMO_PASSWORD, load_demo


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web")
    app = create_app({"database_url": f"sqlite:///{folder}/coproduce.db", "rate_limit": "100000 per minute",
                      "sign_in_limit": "1000 per minute"})
    coproduce = app.extensions["coproduce"]
    load_demo(coproduce)
    return app


def token_on(page_html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page_html).group(1)


def signed_in(site, username: str):
    client = site.test_client()
    answer = client.post("/sign-in", data={"username": username, "password": DEMO_PASSWORD,
                                           "csrf_token": token_on(client.get("/sign-in").text)})
    assert answer.status_code == 303
    return client


def issue_titled(site, title: str):
    coproduce = site.extensions["coproduce"]
    auditor = coproduce.actor_for("auditor")  # reads every hub
    for hub in coproduce.board_hubs(auditor):
        for row in coproduce.board_issues(UUID(hub.hub_id), auditor):
            if row.title == title:
                return coproduce.issue(UUID(row.issue_id))
    raise LookupError(title)


BUDDY = "A buddy when leaving hospital"


def test_pages_need_a_sign_in_and_come_back_to_the_page_asked_for(site):
    client = site.test_client()
    answer = client.get("/my-input")
    assert answer.status_code == 302 and answer.headers["Location"] == "/sign-in?next=/my-input"
    signed = client.post("/sign-in", data={"username": "alex", "password": DEMO_PASSWORD, "next": "/my-input",
                                           "csrf_token": token_on(client.get(answer.headers["Location"]).text)})
    assert signed.headers["Location"] == "/my-input"


def test_the_session_cookie_is_secure_http_only_and_same_site(site):
    client = site.test_client()
    answer = client.post("/sign-in", data={"username": "alex", "password": DEMO_PASSWORD,
                                           "csrf_token": token_on(client.get("/sign-in").text)})
    cookie = answer.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_signing_in_never_follows_a_next_page_off_the_site(site):
    client = site.test_client()
    for target in ("//evil.example/", "https://evil.example/", "evil"):
        answer = client.post("/sign-in", data={"username": "jo", "password": DEMO_PASSWORD, "next": target,
                                               "csrf_token": token_on(client.get("/sign-in").text)})
        assert answer.headers["Location"] == "/"


def test_a_form_without_its_csrf_token_is_refused_and_records_nothing(site):
    alex = signed_in(site, "alex")
    issue = issue_titled(site, BUDDY)
    form = {"text": "Sent from another site", "may_quote": "yes", "attribution": "name", "version": issue.version}
    for token in (None, "forged"):
        answer = alex.post(f"/issues/{issue.id}/contribute", data={**form, **({"csrf_token": token} if token else {})})
        assert answer.status_code == 400 and "did not come from this site" in answer.text
    assert issue_titled(site, BUDDY).version == issue.version
    signed_out = alex.post("/sign-out", data={})
    assert signed_out.status_code == 400  # signing out needs the token too


def kept_by_the_browser(answer, client) -> None:
    """The cookies an answer sets, stored in `client`'s jar as a browser would on receiving it."""
    for header in answer.headers.getlist("Set-Cookie"):
        name, _, value = header.partition(";")[0].partition("=")
        client.set_cookie(name, value)


def test_a_late_answer_to_an_earlier_request_does_not_expire_the_form_on_screen(site):
    """A browser still fetching a stylesheet or an icon for the page before stores that answer's cookie
    when it comes, after the form's. Such an answer must not take away what the form's token is
    checked against (the person would be told their form had expired), nor the "Done" message of
    what they just sent."""
    alex = signed_in(site, "alex")
    issue = issue_titled(site, BUDDY)

    def late_answers_as_of(cookie: str) -> None:
        late = site.test_client()
        late.set_cookie("coproduce_session", cookie)
        for path in ("/assets/nhsuk-frontend.min.css", "/web-static/init.js", "/favicon.ico", "/"):
            answer = late.get(path)
            assert answer.status_code == 200, path
            kept_by_the_browser(answer, alex)

    as_signed_in = alex.get_cookie("coproduce_session").value
    form = alex.get(f"/issues/{issue.id}/contribute")
    late_answers_as_of(as_signed_in)
    as_on_the_form = alex.get_cookie("coproduce_session").value
    sent = alex.post(f"/issues/{issue.id}/contribute", data={
        "csrf_token": token_on(form.text), "text": "Sent while the page before was still loading",
        "may_quote": "yes", "attribution": "name", "version": issue.version})
    assert sent.status_code == 303, sent.text
    assert issue_titled(site, BUDDY).version == issue.version + 1
    late_answers_as_of(as_on_the_form)
    assert "Your input is added." in alex.get(sent.headers["Location"]).text  # the message set since is kept


def test_two_forms_opened_at_once_after_signing_in_both_send(site):
    """Two tabs opened together just after signing in: both forms carry a token the cookie still
    holds, whichever page's answer the browser stored last."""
    alex = signed_in(site, "alex")
    issue = issue_titled(site, BUDDY)
    as_signed_in = alex.get_cookie("coproduce_session").value
    pages = []
    for _ in range(2):  # both asked with the cookie as signing in left it
        tab = site.test_client()
        tab.set_cookie("coproduce_session", as_signed_in)
        pages.append(tab.get(f"/issues/{issue.id}/contribute"))
    for page in pages:  # in the order they came
        kept_by_the_browser(page, alex)
    for n, form in enumerate(page.text for page in pages):
        sent = alex.post(f"/issues/{issue.id}/contribute", data={
            "csrf_token": token_on(form), "text": f"From tab {n + 1}", "may_quote": "yes", "attribution": "name",
            "version": issue_titled(site, BUDDY).version})
        assert sent.status_code == 303, sent.text


def test_security_headers_are_on_every_response(site):
    alex = signed_in(site, "alex")
    for path in ("/", "/sign-in", "/my-input", "/no-such-page", "/assets/nhsuk-frontend.min.css", "/healthz",
                 "/api/v1/openapi.json", "/api/v1/me/input", "/web-static/init.js"):
        headers = alex.get(path).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"], path
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"], path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["Referrer-Policy"] == "same-origin", path
    page = alex.get("/my-input")
    assert page.headers["Cache-Control"] == "no-store"
    nonce = re.search(r"'nonce-([^']+)'", page.headers["Content-Security-Policy"]).group(1)
    assert f'<script nonce="{nonce}">' in page.text  # the template's one inline script carries it
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]


def test_failed_sign_ins_are_limited_and_a_right_password_then_waits_too(site):
    strict = create_app({"database_url": site.extensions["coproduce"].store.url.render_as_string(False),
                         "sign_in_limit": "5 per minute"})
    client = strict.test_client()
    token = token_on(client.get("/sign-in").text)
    wrong = [client.post("/sign-in", data={"username": "kim", "password": "guess", "csrf_token": token}).status_code
             for _ in range(5)]
    assert wrong == [401] * 5
    locked = client.post("/sign-in", data={"username": "kim", "password": DEMO_PASSWORD, "csrf_token": token})
    assert locked.status_code == 429 and "Too many tries" in locked.text


def test_signing_out_ends_the_session_for_good(site):
    client = signed_in(site, "jo")
    cookie = client.get_cookie("coproduce_session").value
    page = client.get("/sign-out")
    assert client.post("/sign-out", data={"csrf_token": token_on(page.text)}).status_code == 303
    replay = site.test_client()
    replay.set_cookie("coproduce_session", cookie)
    assert replay.get("/my-input").status_code == 302  # the old cookie's sign-in token is revoked


def test_other_hubs_are_not_found_and_other_roles_forms_are_forbidden(site):
    kim = signed_in(site, "kim")  # Peterborough only
    buddy = issue_titled(site, BUDDY)  # Cambridge & South
    assert kim.get(f"/issues/{buddy.id}").status_code == 404
    assert kim.get(f"/hubs/{buddy.hub_id}").status_code == 404
    alex = signed_in(site, "alex")
    refused = alex.get(f"/issues/{buddy.id}/frame")
    assert refused.status_code == 403 and "You cannot do that here" in refused.text
    assert alex.get("/audit").status_code == 403
    assert alex.get("/admin/accounts/new").status_code == 403
    assert signed_in(site, "auditor").get("/admin/accounts/new").status_code == 403  # auditors read, never change


def test_bad_input_names_the_field_and_the_rule_and_records_nothing(site):
    sam = signed_in(site, "sam")
    issue = issue_titled(site, BUDDY)
    page = sam.get(f"/issues/{issue.id}/stakeholder")
    answer = sam.post(f"/issues/{issue.id}/stakeholder", data={
        "csrf_token": token_on(page.text), "version": issue.version, "name": "x" * 301, "kind": ""})
    assert answer.status_code == 422
    assert "Name of the organisation or person must be 300 characters or fewer" in answer.text
    assert "Answer the question: What kind of stakeholder" in answer.text
    assert 'aria-describedby="name-error"' in answer.text and 'href="#kind"' in answer.text
    assert issue_titled(site, BUDDY).version == issue.version


def test_a_form_filled_in_while_someone_else_changed_the_issue_is_refused_with_the_reason(site):
    sam = signed_in(site, "sam")
    issue = issue_titled(site, BUDDY)
    page = sam.get(f"/issues/{issue.id}/stakeholder")
    fields = {"csrf_token": token_on(page.text), "name": "Carers' forum", "kind": "charity"}
    first = sam.post(f"/issues/{issue.id}/stakeholder", data={**fields, "version": issue.version})
    assert first.status_code == 303
    stale = sam.post(f"/issues/{issue.id}/stakeholder", data={**fields, "version": issue.version})
    assert stale.status_code == 422 and "Someone else changed this issue" in stale.text
    assert issue_titled(site, BUDDY).version == issue.version + 1  # the stale form recorded nothing
    assert f'name="version" value="{issue.version + 1}"' in stale.text  # sending again builds on what is there


def test_a_refused_stage_move_lists_what_is_missing_and_records_nothing(site):
    sam = signed_in(site, "sam")
    issue = issue_titled(site, BUDDY)  # in Explore, with no finding yet
    page = sam.get(f"/issues/{issue.id}/advance")
    assert "Not ready for Act yet" in page.text and "finding" in page.text
    refused = sam.post(f"/issues/{issue.id}/advance", data={
        "csrf_token": token_on(page.text), "version": issue.version, "reason": "Try", "level": "co-production"})
    assert refused.status_code == 422 and "Still missing" in refused.text
    assert issue_titled(site, BUDDY).version == issue.version


def test_my_input_comes_a_page_at_a_time_and_counts_all_that_awaits_feedback(site):
    coproduce, alex = site.extensions["coproduce"], signed_in(site, "alex")
    me = coproduce.actor_for("alex")
    before = coproduce.my_input_page(me, 0, 1)
    issue = issue_titled(site, BUDDY)
    for n in range(21):
        coproduce.record_contribution(issue.id, me.account_id, f"Paged input {n}", me, channel="online",
                                      may_quote=True, attribution="anonymous")
    total, awaiting = before.total + 21, before.awaiting + 21

    first = alex.get("/my-input")
    assert first.text.count('class="nhsuk-card"') == 20 and "Paged input 20" in first.text
    assert f"Showing 1 to 20 of {total}, newest first." in first.text
    assert f"{awaiting} pieces still wait for an answer." in first.text
    assert 'href="/my-input?page=2"' in first.text and "?page=0" not in first.text
    last_page = -(-total // 20)
    last = alex.get(f"/my-input?page={last_page}")
    assert last.text.count('class="nhsuk-card"') == total - 20 * (last_page - 1)
    assert f"{awaiting} pieces still wait for an answer." in last.text  # counted over every page
    assert alex.get("/my-input?page=999").headers["Location"] == f"/my-input?page={last_page}"


def test_while_the_database_is_away_a_page_says_so_and_when_to_try_again(site, monkeypatch):
    client = signed_in(site, "priya")
    coproduce = site.extensions["coproduce"]

    def away(*_):
        raise psycopg.OperationalError("connection refused")

    monkeypatch.setattr(coproduce.credentials, "token_holder", away)
    page = client.get("/")
    assert page.status_code == 503 and page.headers["Retry-After"] == "2"
    assert page.mimetype == "text/html" and "Our records cannot be reached just now" in page.text
    assert "Traceback" not in page.text and "Internal Server Error" not in page.text


def test_the_audit_trail_hides_set_up_unless_asked_pages_by_fifty_and_downloads_the_same_filters(site):
    auditor = signed_in(site, "auditor")
    first = auditor.get("/audit").text
    rows = first.split("<tbody")[1]
    assert "Account opened" not in rows and "Username given to an account" not in rows and "Issue raised" in rows
    total, pages = map(int, re.search(r"(\d+) events: page 1 of (\d+)", first).groups())
    assert pages == -(-total // 50) > 1 and first.count('<tr class="nhsuk-table__row">') == 51  # a header and 50 rows
    last = auditor.get(f"/audit?page={pages}").text
    assert last.count('<tr class="nhsuk-table__row">') == 1 + total - 50 * (pages - 1)
    with_set_up = auditor.get("/audit?set_up=yes").text
    assert "Account opened" in with_set_up.split("<tbody")[1] and int(re.search(r"(\d+) events", with_set_up).group(1)) > total
    exported = auditor.get("/audit/export.csv").text.splitlines()
    assert len(exported) == 1 + total  # a header and every event the page counts, set-up left out too
    refused = auditor.get("/audit?kind=feedback")
    assert refused.status_code == 422 and "What happened: must be one of the kinds listed" in refused.text


def test_a_first_password_is_kept_as_typed_and_a_username_already_taken_is_said_so(site):
    admin = signed_in(site, "admin")
    hub = site.extensions["coproduce"].board_hubs(site.extensions["coproduce"].actor_for("admin"))[0].hub_id
    form = {"username": "pat", "name": "Pat Doe", "role": "expert", "password": " spaces around1 ", "hub_ids": hub}
    opened = admin.post("/admin/accounts/new", data={**form, "csrf_token": token_on(admin.get("/admin/accounts/new").text)})
    assert opened.status_code == 303, opened.text
    client = site.test_client()
    signed = client.post("/sign-in", data={"username": "pat", "password": " spaces around1 ",
                                           "csrf_token": token_on(client.get("/sign-in").text)})
    assert signed.status_code == 303  # as typed, spaces and all
    again = admin.post("/admin/accounts/new", data={**form, "csrf_token": token_on(admin.get("/admin/accounts/new").text)})
    assert again.status_code in (409, 422), again.status_code
    assert "already taken" in again.text and "Someone else changed" not in again.text


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_a_form_without_the_version_it_was_filled_in_on_is_refused_as_stale(site, version):
    sam = signed_in(site, "sam")
    issue = issue_titled(site, BUDDY)
    form = {"csrf_token": token_on(sam.get(f"/issues/{issue.id}/rename").text), "title": "A buddy home from hospital"}
    if version is not None:
        form["version"] = version
    answer = sam.post(f"/issues/{issue.id}/rename", data=form)
    assert answer.status_code == 422 and "Someone else changed this issue" in answer.text
    assert issue_titled(site, BUDDY).version == issue.version
