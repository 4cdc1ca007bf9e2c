"""Every page an expert reads on the demo is plain: Flesch reading ease of at least 70, and no
staff word (stakeholder, framed, themed, finding, cycle, advanced, parked) outside a hint.

To cover a new page for experts or the public, add it to PAGES: a name, who reads it, and the
addresses to read on the demo.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

import pytest

from service import create_app
from service.app.coproduce import Coproduce
from service.demo.load import DEMO_PASSWORD, load_demo
from tests.words import page_words, plain_problems


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("words")
    app = create_app({"database_url": f"sqlite:///{folder}/coproduce.db", "rate_limit": "100000 per minute",
                      "sign_in_limit": "1000 per minute"})
    load_demo(app.extensions["coproduce"])
    return app


def issues_of(app: Coproduce, username: str) -> list[str]:
    """The issues a person's home page lists, in every stage."""
    reader = app.actor_for(username)
    return [row.issue_id for hub in app.board_hubs(reader) for row in app.board_issues(UUID(hub.hub_id), reader)]


def rated_issues(app: Coproduce, username: str) -> list[str]:
    return [i for i in issues_of(app, username) if app.issue(UUID(i)).decisions]


def own_input(app: Coproduce, username: str) -> list[str]:
    """The open issues where the person has input they may still withdraw."""
    me = app.actor_for(username).account_id
    return [i for i in issues_of(app, username) if not (issue := app.issue(UUID(i))).is_closed
            and any(issue.contributors[c] == str(me) for c in issue.active_contributions)]


def own_contributions(app: Coproduce, issue_id: str, username: str) -> list[str]:
    me = str(app.actor_for(username).account_id)
    issue = app.issue(UUID(issue_id))
    return [c for c in issue.active_contributions if issue.contributors[c] == me]


def published_hubs(app: Coproduce) -> list[str]:
    return [hub.hub_id for hub in app.board_hubs(app.actor_for("auditor")) if app.hub(UUID(hub.hub_id)).published]


@dataclass(frozen=True)
class Page:
    name: str
    reader: str  # the demo username it is read as
    addresses: Callable[[Coproduce], list[str]]


PAGES = [
    Page("home", "alex", lambda app: ["/"]),
    Page("issue page", "alex", lambda app: [f"/issues/{i}" for i in issues_of(app, "alex")]),
    Page("history", "alex", lambda app: [f"/issues/{i}/history" for i in issues_of(app, "alex")]),
    Page("what happened to my input", "alex", lambda app: ["/my-input"]),
    Page("say how a decision felt", "alex", lambda app: [f"/issues/{i}/rate" for i in rated_issues(app, "alex")]),
    Page("add my input", "alex", lambda app: [f"/issues/{issues_of(app, 'alex')[0]}/contribute"]),
    Page("withdraw my input", "alex", lambda app: [f"/issues/{i}/withdraw" for i in own_input(app, "alex")][:1]),
    Page("hub board", "alex", lambda app: [f"/hubs/{hub.hub_id}" for hub in app.board_hubs(app.actor_for("alex"))]),
    Page("what matters most to you", "alex", lambda app: [
        f"/hubs/{hub.hub_id}/priorities" for hub in app.board_hubs(app.actor_for("alex"))]),
    Page("issue page and history, another hub", "kim", lambda app: [
        f"/issues/{i}{tail}" for i in issues_of(app, "kim") for tail in ("", "/history")]),
    Page("how we keep you posted", "alex", lambda app: ["/me/contact"]),
    Page("everything we hold about you", "alex", lambda app: ["/my-data"]),
    Page("correct my words", "alex", lambda app: [
        f"/issues/{i}/input/{c}/correct" for i in own_input(app, "alex") for c in own_contributions(app, i, "alex")][:1]),
    Page("track a code (no sign-in)", "alex", lambda app: ["/track"]),
    Page("a published hub and its poster (no sign-in)", "alex", lambda app: [
        f"/public/hubs/{hub}{tail}" for hub in published_hubs(app) for tail in ("", "/poster")]),
]


def signed_in(site, username: str):
    client = site.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
    answer = client.post("/sign-in", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token})
    assert answer.status_code == 303
    return client


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_the_page_is_in_plain_words(site, page: Page):
    client = signed_in(site, page.reader)
    addresses = page.addresses(site.extensions["coproduce"])
    assert addresses
    problems = {}
    for address in addresses:
        answer = client.get(address)
        assert answer.status_code == 200, address
        if found := plain_problems(page_words(answer.text)):
            problems[address] = found
    assert problems == {}


def test_staff_pages_keep_the_domain_words_each_with_a_hint_saying_what_it_means(site):
    app, client = site.extensions["coproduce"], signed_in(site, "sam")
    exploring = next(i for i in issues_of(app, "sam") if app.issue(UUID(i)).stage == "explore")
    offered = page_words(client.get(f"/issues/{exploring}").text)
    assert "Add a stakeholder" in offered.said and "a stakeholder is an organisation" in offered.hints
    form = page_words(client.get(f"/issues/{exploring}/stakeholder").text)
    assert "A stakeholder is an organisation or role" in form.hints


def test_say_how_a_decision_felt_names_each_decision_and_asks_how_much_say_experts_had(site):
    app, alex = site.extensions["coproduce"], signed_in(site, "alex")
    issue = next(i for i in rated_issues(app, "alex") if not app.issue(UUID(i)).is_closed)
    form = alex.get(f"/issues/{issue}/rate").text
    words = page_words(form).said
    assert "chose this issue for the hub to work on." in words and "Decision 4" not in words
    rungs = [line for line in words.splitlines() if line.startswith("We ")]
    assert (rungs[0], rungs[-1], len(rungs)) == ("We were not asked.", "We decided together.", 7)
    assert '<span class="coproduce-hint">(Coercion)</span>' in form
    decision = re.search(r'name="decision" type="radio" value="(\d+)"', form).group(1)
    sent = alex.post(f"/issues/{issue}/rate", data={
        "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form).group(1), "decision": decision,
        "level": "consultation", "version": re.search(r'name="version" value="(\d+)"', form).group(1)})
    assert sent.status_code == 303
    history = page_words(alex.get(f"/issues/{issue}/history").text).said
    assert "said how much say experts had in a decision: “We were asked what we think”" in history
