"""Markup typed into any form is shown as text on every page, never read as markup by the browser.

Each free-text field gets its own payload: it tries to break out of a textarea and of a quoted
attribute, and carries elements that would show up in the page if they were let through (a bold
word and an image with ids starting "injected", and a meta refresh that would send whoever opens
the page to another site). Every page that shows the words must hold none of those elements and
show the payload, character for character, as text.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD
from tests.browser.test_journeys import choose, start_session_form, write_down

HUB = "Cambridge & South"
# The refresh waits, so that a page that let it through fails on the element being there rather
# than by leaving the site in the middle of the test.
REFRESH = '<meta http-equiv="refresh" content="600;url=https://evil.example/">'


def markup(key: str) -> str:
    """What someone types into the field `key`."""
    return (f'[{key}] "\'></textarea><b id="injected-{key}">bold</b>'
            f'<img src="x" id="injected-img-{key}">{REFRESH}')


TITLE, ACTION, SPARE_ACTION, INPUT, SAID = (markup(k) for k in ("title", "action", "spare-action", "input", "said"))
USERNAME = "newcomer"  # usernames are letters, digits, dots, dashes and underscores only


def no_markup_let_through(page: Page, *keys: str) -> None:
    """The page holds no element from any payload, and shows the payloads of `keys` as text."""
    page.wait_for_load_state()
    assert page.locator("[id^=injected]").count() == 0, f"markup let through on {page.url}"
    assert page.locator('meta[http-equiv="refresh" i]').count() == 0, f"a refresh let through on {page.url}"
    for key in keys:
        expect(page.locator("body")).to_contain_text(markup(key))


def go_to_issue(page: Page) -> None:
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name=TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)


def use_form(page: Page, link: str) -> None:
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(link)
    no_markup_let_through(page)


def fill(page: Page, label: str, key: str) -> None:
    page.get_by_label(label, exact=True).fill(markup(key))


def send(page: Page, button: str) -> None:
    page.get_by_role("button", name=button).click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_be_visible()
    no_markup_let_through(page)


def advance(page: Page, stage: str, key: str) -> None:
    use_form(page, "Move to the next stage")
    fill(page, "Why is it ready to move on?", key)
    choose(page, "At what level of participation was this decided?", "Co-production")
    send(page, "Move to the next stage")
    expect(page.locator(".nhsuk-tag", has_text=stage)).to_be_visible()


def test_markup_typed_into_the_forms_of_an_issue_is_shown_as_text_on_every_page(signed_in):
    # given an issue raised with markup in its title
    sam = signed_in("sam")
    sam.get_by_role("link", name=HUB).first.click()
    sam.get_by_role("link", name="Raise a new issue").click()
    sam.get_by_label("What is the issue?").fill(TITLE)
    send(sam, "Raise the issue")
    no_markup_let_through(sam, "title")

    # a refused form shows what was typed again, as typed
    use_form(sam, "Frame the issue")
    fill(sam, "What is the problem?", "problem")
    sam.get_by_role("button", name="Frame the issue").click()
    expect(sam.locator(".nhsuk-error-summary")).to_be_visible()
    no_markup_let_through(sam)
    expect(sam.get_by_label("What is the problem?")).to_have_value(markup("problem"))
    fill(sam, "Who does it affect?", "affected")
    send(sam, "Frame the issue")
    no_markup_let_through(sam, "problem", "affected")

    # when every form of the issue's life is given markup, by whoever may use it
    alex = signed_in("alex")
    go_to_issue(alex)
    use_form(alex, "Add my input")
    alex.get_by_label("What do you want to say?").fill(INPUT)
    choose(alex, "May we quote your words to others?", "Yes")
    choose(alex, "If we quote you, how should we name you?", "Use my full name")
    send(alex, "Add my input")

    sam.reload()
    use_form(sam, "Select the issue to work on")
    fill(sam, "What did the hub decide, and how?", "decision")
    choose(sam, "At what level of participation was this decided?", "Co-production")
    send(sam, "Select the issue to work on")
    use_form(sam, "Theme input")
    fill(sam, "Theme", "theme")
    sam.get_by_label(re.compile(r"\[input\]")).check()
    send(sam, "Theme input")
    advance(sam, "Explore", "to-explore")

    use_form(sam, "Record a finding")
    fill(sam, "What was found?", "finding")
    sam.get_by_label(re.compile(r"\[input\]")).check()
    send(sam, "Record a finding")
    use_form(sam, "Add a stakeholder")
    fill(sam, "Name of the organisation or person", "stakeholder")
    fill(sam, "What kind of stakeholder", "stakeholder-kind")
    send(sam, "Add a stakeholder")
    advance(sam, "Act", "to-act")

    for title in (ACTION, SPARE_ACTION):
        use_form(sam, "Commit an action")
        sam.get_by_label("What will be done?").fill(title)
        choose(sam, "Who owns it?", "Dr Nadia Shah")
        sam.get_by_label("When is it due?").fill("2030-01-31")
        sam.get_by_label(re.compile(r"\[input\]")).check()
        send(sam, "Commit an action")
    use_form(sam, "Drop an action")
    sam.get_by_label(re.compile(re.escape("[spare-action]"))).check()
    fill(sam, "Why is it dropped?", "drop")
    send(sam, "Drop an action")

    fran = signed_in("fran")
    start_session_form(fran, "2024-03-27", markup("place"), "Workshop", "6", "2")
    write_down(fran, 1, "Alex Reid", TITLE, SAID)
    fran.get_by_role("button", name="Record the session").click()
    expect(fran.locator(".nhsuk-notification-banner")).to_contain_text("with 1 piece of input")
    fran.get_by_role("link", name="I have finished: back to the hub").click()  # past the last step
    no_markup_let_through(fran, "title")

    owner = signed_in("dr.shah")
    owner.get_by_role("link", name="My actions").click()
    card = owner.locator(".nhsuk-card", has_text=ACTION)
    card.get_by_role("link", name=re.compile("^Report progress")).click()
    fill(owner, "What has happened?", "progress")
    send(owner, "Report progress on an action")
    owner.get_by_role("link", name="My actions").click()
    no_markup_let_through(owner, "action", "progress", "title")
    card.get_by_role("link", name=re.compile("^Mark done")).click()
    fill(owner, "What was done?", "completion")
    send(owner, "Mark an action done")

    sam.reload()
    use_form(sam, "Park the issue")
    fill(sam, "Why is it parked?", "park")
    send(sam, "Park the issue")
    no_markup_let_through(sam, "park")
    sam.get_by_role("link", name=HUB).first.click()
    no_markup_let_through(sam, "title", "park")
    sam.get_by_role("link", name=TITLE).click()
    use_form(sam, "Take the issue off hold")
    fill(sam, "Why can work start again?", "reopen")
    send(sam, "Take the issue off hold")
    advance(sam, "Learn", "to-learn")

    use_form(sam, "Record learning")
    fill(sam, "What changed?", "what-changed")
    fill(sam, "What is the evidence?", "evidence")
    fill(sam, "What should happen next? (optional)", "next-steps")
    send(sam, "Record learning")
    use_form(sam, "Give feedback on input")
    fill(sam, "What happened as a result of this input?", "feedback")
    sam.get_by_label(re.compile(r"\[input\]")).check()
    sam.get_by_label(re.compile(r"\[said\]")).check()
    send(sam, "Give feedback on input")
    use_form(sam, "Close the issue")
    fill(sam, "What was the outcome?", "outcome")
    choose(sam, "At what level of participation was this decided?", "Co-design")
    send(sam, "Close the issue")

    # then every page that shows those words shows them as text, and nothing of them as markup
    no_markup_let_through(sam, "title", "problem", "affected", "input", "said", "theme", "action", "feedback",
                          "outcome")
    sam.get_by_role("link", name="See all that happened").click()
    no_markup_let_through(sam, "title", "problem", "affected", "decision", "theme", "to-explore", "finding",
                          "stakeholder", "stakeholder-kind", "to-act", "action", "spare-action", "drop",
                          "progress", "completion", "park", "reopen", "to-learn", "what-changed",
                          "evidence", "feedback", "outcome")
    sam.get_by_role("link", name="Home", exact=True).click()
    no_markup_let_through(sam, "title")

    alex.get_by_role("link", name="What happened to my input").first.click()
    no_markup_let_through(alex, "title", "input", "said", "theme", "finding", "action", "feedback", "place")
    alex.get_by_role("link", name="Home", exact=True).click()
    no_markup_let_through(alex, "title")

    owner.get_by_role("link", name="My actions").click()
    no_markup_let_through(owner, "action", "title")

    sam.get_by_role("link", name=HUB).first.click()
    sam.get_by_role("link", name="Accountability report").click()
    no_markup_let_through(sam)


def test_markup_in_the_names_of_hubs_and_people_is_shown_as_text_on_every_page(signed_in):
    # given an admin who gives a new hub and a new account markup for names
    admin = signed_in("admin")
    admin.get_by_role("link", name="Accounts", exact=True).click()
    admin.get_by_role("link", name="Create a hub").click()
    fill(admin, "Name of the hub", "hub")
    fill(admin, "Area it covers", "area")
    choose(admin, "How far along is it?", "Planning")
    send(admin, "Create the hub")
    no_markup_let_through(admin, "hub", "area")

    admin.get_by_role("link", name="Accounts", exact=True).click()
    admin.get_by_role("link", name="Open an account").click()
    admin.get_by_label("Username").fill(USERNAME)
    fill(admin, "Full name", "name")
    choose(admin, "Role", "Expert")
    admin.get_by_label("First password").fill(PASSWORD)
    admin.get_by_label(markup("hub"), exact=True).check()
    send(admin, "Open the account")

    # then the pages that name them show the names as text
    no_markup_let_through(admin, "name", "hub")
    admin.get_by_role("link", name="Home", exact=True).click()
    no_markup_let_through(admin, "hub", "area")
    admin.get_by_role("link", name="Audit trail", exact=True).click()
    no_markup_let_through(admin)

    newcomer = signed_in(USERNAME)
    no_markup_let_through(newcomer, "name", "hub", "area")
    newcomer.get_by_role("link", name=markup("hub")).click()
    no_markup_let_through(newcomer, "hub", "area")
