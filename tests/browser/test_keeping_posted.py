"""One browser journey through keeping people posted, on the demo: an expert's choice with a mistake
named, a facilitator's session step and the hub's hand-over sheet; axe finds nothing serious, every
page fits 320 px, and the browser logs no error under the real Content-Security-Policy."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import screenshot, watch
from tests.browser.test_accessibility import fits_the_screen, serious_violations

NARROW = {"width": 320, "height": 700}


def _checked(page, name: str, complaints: list[str], expected: int | None = None) -> None:
    assert serious_violations(page) == [], f"{name}: {page.url}"
    if expected:  # a form sent back with its mistakes answers 422, which the browser reports
        complaints[:] = [c for c in complaints if str(expected) not in c]
    assert complaints == [], "\n".join(complaints)
    assert fits_the_screen(page), f"{name} is wider than 320 px"
    screenshot(page, name)


def test_choosing_how_to_hear_and_handing_over_news_pass_axe_on_a_small_phone(signed_in):
    alex = signed_in("alex", NARROW)
    complaints = watch(alex)
    alex.get_by_role("link", name="What happened to my input").first.click()
    alex.get_by_role("link", name="How we keep you posted").last.click()
    expect(alex.get_by_role("heading", level=1)).to_have_text("How we keep you posted")
    _checked(alex, "expert-keeping-posted", complaints)
    alex.get_by_label("By email").check()
    alex.get_by_label("Your email address").fill("not an address")
    alex.get_by_role("button", name="Save my choices").click()
    expect(alex.locator(".nhsuk-error-summary")).to_contain_text("Your email address")
    _checked(alex, "expert-keeping-posted-error", complaints, 422)

    fran = signed_in("fran", NARROW)
    complaints = watch(fran)
    fran.get_by_role("link", name="Cambridge & South").first.click()
    fran.get_by_role("link", name="Hand-over sheet: news to give out at the next session").click()
    expect(fran.get_by_role("heading", level=1)).to_have_text("Hand-over sheet")
    _checked(fran, "facilitator-hand-over", complaints)
    fran.get_by_role("button", name="Record who got their news").click()
    expect(fran.locator(".nhsuk-error-summary")).to_be_visible()
    _checked(fran, "facilitator-hand-over-error", complaints, 422)
    session = fran.locator("#session_id option").nth(1).get_attribute("value")
    fran.goto(fran.url.removesuffix("/hand-over") + f"/sessions/{session}/keeping-posted")
    expect(fran.get_by_role("heading", level=1)).to_have_text("How each expert wants to hear from us")
    _checked(fran, "facilitator-session-keeping-posted", complaints)
