"""Is this what you said? In a real browser: a facilitator writes down an expert's words with a mistake, the
expert signs in, sees "is this right?" and corrects it, and the manager's page and the history show the
corrected words; the new pages (and the copy of everything held about a person) pass axe on a phone."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_accessibility import fits_the_screen, serious_violations
from tests.browser.test_journeys import HUB, go_to_issue, send, start_session_form, write_down

ISSUE = "A buddy when leaving hospital"
MISTAKE = "The ward sent me home on a Sunday with no letter."
RIGHT = "The ward sent me home on a Friday night with no letter."


def _checked(page, name: str) -> None:
    assert serious_violations(page) == [], f"{name}: {page.url}"
    assert fits_the_screen(page), f"{name} is wider than 360 px: {page.url}"


def test_an_expert_corrects_what_a_facilitator_wrote_down_and_everyone_sees_their_words(signed_in):
    # given: Fran writes down what Jo said at a drop-in, with a mistake
    fran = signed_in("fran")
    start_session_form(fran, "2024-03-27", "Arbury community room", "Drop in", "5", "1")
    write_down(fran, 1, "Jo Carter", ISSUE, MISTAKE)
    fran.get_by_role("button", name="Record the session").click()
    expect(fran.locator(".nhsuk-notification-banner")).to_contain_text("with 1 piece of input")

    # when: Jo signs in, is asked whether it is right, and corrects it
    jo = signed_in("jo")
    jo.get_by_role("link", name="What happened to my input").first.click()
    card = jo.locator(".nhsuk-card", has_text=MISTAKE)
    expect(card).to_contain_text(f"Written down by Fran Mills at {HUB} — is this right?")
    _checked(jo, "what happened to my input, asking")
    card.get_by_role("link", name=re.compile("No, correct it")).click()
    expect(jo.get_by_role("heading", level=1)).to_have_text("Correct my words")
    expect(jo.locator("blockquote")).to_contain_text(MISTAKE)
    _checked(jo, "correct my words")
    jo.get_by_label("What did you want to say?").fill(RIGHT)
    send(jo, "Correct my words")
    corrected = jo.locator(".nhsuk-card", has_text=RIGHT)
    expect(corrected).to_contain_text("Corrected by you")
    expect(corrected).not_to_contain_text("is this right?")

    # then: the manager's page and the issue's history show her words, never the mistake
    sam = signed_in("sam")
    go_to_issue(sam, ISSUE)
    expect(sam.locator(".nhsuk-card", has_text=RIGHT)).to_contain_text("they corrected what was written down")
    expect(sam.locator("main")).not_to_contain_text(MISTAKE)
    sam.get_by_role("link", name="See all that happened").click()
    expect(sam.locator("main")).to_contain_text("corrected the words of a contribution")
    expect(sam.locator("main")).not_to_contain_text(MISTAKE)

    # and: everything held about Jo, on its own page
    jo.get_by_role("link", name="everything we hold about you").click()
    expect(jo.get_by_role("heading", level=1)).to_have_text("Everything we hold about you")
    expect(jo.locator("main")).to_contain_text(RIGHT)
    _checked(jo, "everything we hold about you")
    jo.set_viewport_size({"width": 320, "height": 700})
    _checked(jo, "everything we hold about you, at 320 px")
    jo.go_back()
    jo.get_by_role("link", name=re.compile("Change who may see my words")).first.click()
    expect(jo.get_by_role("heading", level=1)).to_have_text("Change who may see my words")
    _checked(jo, "change who may see my words, at 320 px")
