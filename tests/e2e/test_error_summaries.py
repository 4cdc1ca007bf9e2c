"""A form with mistakes lists them at the top in the order the form asks, each naming its question,
and the summary takes the focus without any script."""

from __future__ import annotations

import re

import pytest

from service import create_app
from service.demo.load import load_demo
from tests.unit.test_plain_words import issues_of, signed_in


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("errors")
    app = create_app({"database_url": f"sqlite:///{folder}/coproduce.db", "rate_limit": "100000 per minute",
                      "sign_in_limit": "1000 per minute"})
    load_demo(app.extensions["coproduce"])
    return app


def summary(html: str) -> list[str]:
    """The error summary's links, in order, as the reader hears them."""
    box = re.search(r'<div\s[^>]*class="nhsuk-error-summary".*?</ul>', html, re.S)
    assert box, "no error summary"
    assert 'tabindex="-1"' in box.group(0) and "autofocus" in box.group(0)
    return [" ".join(re.sub(r"<[^>]+>", "", link).split()) for link in re.findall(r"<a [^>]*>(.*?)</a>", box.group(0), re.S)]


def token_on(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_sign_in_lists_the_username_before_the_password(site):
    client = site.test_client()
    answer = client.post("/sign-in", data={"username": "", "password": "",
                                           "csrf_token": token_on(client.get("/sign-in").text)})
    assert summary(answer.text) == ["Enter your username", "Enter your password"]


def test_a_form_lists_its_mistakes_in_its_own_order(site):
    sam = signed_in(site, "sam")
    issue = next(i for i in issues_of(site.extensions["coproduce"], "sam")
                 if site.extensions["coproduce"].issue(i).stage.value == "explore")
    form = sam.get(f"/issues/{issue}/action").text
    answer = sam.post(f"/issues/{issue}/action", data={"csrf_token": token_on(form), "due": "someday",
                                                       "version": re.search(r'name="version" value="(\d+)"', form).group(1)})
    assert answer.status_code == 422
    assert summary(answer.text)[:3] == ["Answer the question: What will be done?", "Choose an answer to: Who owns it?",
                                        "When is it due? must be a real date, like 2024-03-27"]


def test_the_audit_trail_s_filters_name_the_field_of_each_mistake(site):
    auditor = signed_in(site, "auditor")
    answer = auditor.get("/audit", query_string={"from": "not a day", "kind": "x" * 41, "page": "0"})
    assert answer.status_code == 422
    assert summary(answer.text) == ["What happened: must be one of the kinds listed",
                                    "From (first day) must be a real date, like 2024-03-27",
                                    "Page: must be a page number, from 1"]
    for mistake in ("What happened: must be", "From (first day) must be"):
        assert answer.text.count(mistake) == 2  # in the summary, and beside its field


@pytest.mark.parametrize("path", ["/audit", "/audit/export.csv", "/hubs/{hub}/accountability"])
@pytest.mark.parametrize("query, named", [
    ({"to": "9999-12-31"}, "To (last day)"), ({"to": "0001-01-01"}, "To (last day)"),
    ({"from": "0001-01-01"}, "From (first day)"),
])
def test_days_at_the_ends_of_the_calendar_are_named_not_a_server_error(site, path, query, named):
    auditor = signed_in(site, "auditor")
    hub = site.extensions["coproduce"].board_hubs(site.extensions["coproduce"].actor_for("auditor"))[0].hub_id
    answer = auditor.get(path.format(hub=hub), query_string=query)
    assert answer.status_code == 422, answer.text
    assert summary(answer.text) == [f"{named}: must be a date between 1900-01-01 and 9998-12-31"]


def test_a_page_past_the_last_the_trail_could_have_is_named_not_a_server_error(site):
    answer = signed_in(site, "auditor").get("/audit", query_string={"page": "184467440737095518"})
    assert answer.status_code == 422
    assert summary(answer.text) == ["Page: must be a page number, from 1"]


@pytest.mark.parametrize("due", ["0001-01-01", "9999-12-31"])
def test_an_action_due_at_the_ends_of_the_calendar_is_named(site, due):
    sam = signed_in(site, "sam")
    issue = next(i for i in issues_of(site.extensions["coproduce"], "sam")
                 if site.extensions["coproduce"].issue(i).stage.value == "explore")
    form = sam.get(f"/issues/{issue}/action").text
    answer = sam.post(f"/issues/{issue}/action", data={"csrf_token": token_on(form), "due": due,
                                                       "version": re.search(r'name="version" value="(\d+)"', form).group(1)})
    assert answer.status_code == 422
    assert "When is it due?: must be a date between 1900-01-01 and 9998-12-31" in summary(answer.text)
