"""Experts choose what the hub works on, in a real browser on a phone-sized screen: a manager opens a
priority round, three experts vote (one changes her mind), a facilitator records a paper dot-vote,
the round closes, and a selection against the vote is refused until it says why."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, watch
from tests.browser.test_accessibility import fits_the_screen, serious_violations
from tests.browser.test_journeys import HUB, go_to_issue, send, use_form

BUS, LEAFLETS, REACHING = ("Bus fares to the hub", "Leaflets people can actually read",
                           "Reaching people from more communities")


def priorities(page: Page) -> None:
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name=HUB).first.click()
    page.get_by_role("link", name=re.compile("What matters most to the experts")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What matters most to you?")


def checked(page: Page) -> None:
    assert serious_violations(page) == [], page.url
    assert fits_the_screen(page), page.url


def vote(page: Page, dots: dict[str, int], button: str = "Place my dots") -> None:
    priorities(page)
    for title, count in {BUS: 0, LEAFLETS: 0, REACHING: 0, **dots}.items():
        page.get_by_label(f"Dots for “{title}”").fill(str(count))
    send(page, button)


def test_experts_vote_and_a_selection_against_their_vote_says_why(signed_in):
    sam = signed_in("sam")
    sam.get_by_role("link", name=HUB).first.click()
    sam.get_by_role("link", name="Raise a new issue").click()
    sam.get_by_label("What is the issue?").fill(BUS)
    send(sam, "Raise the issue")
    priorities(sam)
    sam.get_by_role("link", name="Open a priority round").click()
    for title in (BUS, LEAFLETS, REACHING):
        sam.get_by_role("group", name="Which issues may the experts vote on?").get_by_label(title).check()
    sam.get_by_label("When does voting end?").fill((date.today() + timedelta(days=7)).isoformat())
    checked(sam)
    send(sam, "Open the round")

    alex = signed_in("alex")
    complaints = watch(alex)
    vote(alex, {REACHING: 3})
    checked(alex)
    screenshot(alex, "expert-priorities")
    jo = signed_in("jo")
    vote(jo, {LEAFLETS: 2, BUS: 1})
    expect(jo.get_by_label(f"Dots for “{LEAFLETS}”")).to_have_value("2")
    vote(jo, {REACHING: 3}, "Change my dots")
    vote(signed_in("rob"), {BUS: 3})

    fran = signed_in("fran")
    priorities(fran)
    expect(fran.get_by_text("3 people have voted so far.")).to_be_visible()
    fran.get_by_role("link", name="Record a paper dot-vote from a session").click()
    fran.get_by_label("At which session was the vote?").select_option(index=1)
    fran.get_by_label("How many people voted?").fill("3")
    for title, count in ((LEAFLETS, 4), (REACHING, 2), (BUS, 3)):
        fran.get_by_label(f"Dots on “{title}”").fill(str(count))
    checked(fran)
    send(fran, "Record the vote")

    priorities(sam)
    expect(sam.get_by_text("6 people have voted so far.")).to_be_visible()
    send(sam, "Close the round and count the dots")
    result = sam.locator("table", has_text="What the experts said matters most").first
    expect(result).to_contain_text(re.compile(f"1st\\s*{REACHING}\\s*8.*2nd\\s*{BUS}\\s*6.*3rd\\s*{LEAFLETS}\\s*4", re.S))

    go_to_issue(sam, LEAFLETS)
    use_form(sam, "Select the issue to work on")
    expect(sam.get_by_text("It is needed: 2 issues the experts ranked higher have not been chosen.")).to_be_visible()
    sam.get_by_label("What did the hub decide, and how?").fill("Agreed at the hub meeting")
    sam.get_by_role("group", name="At what level of participation was this decided?").get_by_label(
        "Consultation", exact=True).check()
    sam.get_by_role("button", name="Select the issue to work on").click()
    expect(sam.locator(".nhsuk-error-summary")).to_contain_text(
        "why we did not follow your vote): 2 issues the experts ranked higher have not been chosen")
    checked(sam)
    sam.get_by_label("If this does not follow the experts' last vote: why?").fill(
        "The hospital can only test new letters with us this month.")
    send(sam, "Select the issue to work on")
    expect(sam.get_by_text("Why we did not follow your vote:")).to_be_visible()

    priorities(alex)
    expect(alex.get_by_text("You took part. Thank you.").first).to_be_visible()
    expect(alex.get_by_text("The hospital can only test new letters with us this month.")).to_be_visible()
    checked(alex)
    alex.set_viewport_size({"width": 320, "height": 780})
    assert fits_the_screen(alex)
    assert complaints == [], "\n".join(complaints)
