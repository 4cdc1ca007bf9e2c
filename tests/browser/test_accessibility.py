"""axe-core in the browser on every page, each role's pages on 360- and 320-pixel screens and under the real
Content-Security-Policy with nothing in the console, a keyboard-only run, and the sign-in page, the icons
and the API reference (rendered from our own origin) with nothing in the console either."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import NARROWEST, PHONE, screenshot, watch

AXE = Path(__file__).parents[2] / "service" / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Per role: the pages to check, reached by following links as a person would (link names in order).
JOURNEYS = {
    "alex": [("expert-home", []), ("expert-issue", ["A buddy when leaving hospital"]),
             ("expert-add-input", ["A buddy when leaving hospital", "Add my input"]),
             ("expert-rate-decision", ["A buddy when leaving hospital", "Say how a decision felt"]),
             ("expert-what-happened", ["What happened to my input"])],
    "sam": [("manager-home", []), ("manager-hub-board", ["Cambridge & South"]),
            ("manager-issue-learn", ["Booking appointments when you have no phone or data"]),
            ("manager-give-feedback", ["Booking appointments when you have no phone or data", "Give feedback on input"]),
            ("manager-commit-action", ["One trusted person who stays with you between services", "Commit an action"]),
            ("manager-raise", ["Cambridge & South", "Raise a new issue"]),
            ("manager-history", ["Registering with a GP without a fixed address", "See all that happened"]),
            ("manager-accountability", ["Cambridge & South", "Accountability report"])],
    "fran": [("facilitator-session", ["Cambridge & South", "Record a session and what was said there"])],
    "maria": [("owner-actions", ["My actions"])],
    "admin": [("admin-accounts", ["Accounts"]), ("admin-open-account", ["Accounts", "Open an account"])],
    "auditor": [("auditor-audit-trail", ["Audit trail"]),
                ("auditor-accountability", ["Peterborough", "Accountability report"])],
}


FAILING = ("moderate", "serious", "critical")  # axe's impacts that fail a page (only "minor" is let through)


def serious_violations(page: Page) -> list[str]:
    page.wait_for_load_state("load")
    page.evaluate(AXE.read_text())  # from the test's side, so the page keeps its own policy
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in FAILING]


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("username", list(JOURNEYS))
def test_every_page_passes_axe_fits_a_phone_and_logs_no_error(signed_in, username):
    page = signed_in(username)
    complaints = watch(page)
    for name, links in JOURNEYS[username]:
        for link in ["Home", *links]:
            with page.expect_navigation():
                page.get_by_role("link", name=link, exact=True).first.click()
        for width in (PHONE, NARROWEST):
            page.set_viewport_size(width)
            assert serious_violations(page) == [], f"{name} at {width['width']} px: {page.url}"
            assert fits_the_screen(page), f"{name} is wider than {width['width']} px: {page.url}"
            if width == PHONE:
                screenshot(page, name)
        assert complaints == [], f"{name}: {page.url}\n" + "\n".join(complaints)


def test_sign_in_form_errors_and_missing_pages_pass_axe(browser, site):
    context = browser.new_context(viewport=PHONE, base_url=site, bypass_csp=True)
    page = context.new_page()
    page.goto("/sign-in")
    assert serious_violations(page) == []
    screenshot(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter your username")
    assert serious_violations(page) == []
    page.get_by_label("Username").fill("alex")
    page.get_by_label("Password").fill("coproduce-demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="A buddy when leaving hospital").click()
    page.get_by_role("link", name="Add my input").click()
    page.get_by_role("button", name="Add my input").click()
    expect(page.locator(".nhsuk-error-message").first).to_be_visible()
    assert serious_violations(page) == []
    described = page.get_by_label("What do you want to say?").get_attribute("aria-describedby")
    assert "text-error" in described  # the message is tied to its field
    page.goto("/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert serious_violations(page) == []
    context.close()


def tab_to(page: Page, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text or label contains `text`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => { const e = document.activeElement;
            if (!e || e === document.body) return '';
            return (e.labels && e.labels.length ? e.labels[0].innerText : '') + ' ' + (e.innerText || e.value || ''); }""")
        if text in focused:
            outline = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                return s.outlineStyle !== 'none' || s.boxShadow !== 'none' || s.backgroundColor === 'rgb(255, 235, 59)'; }""")
            assert outline, f"no visible focus on {text!r}"
            return
    raise AssertionError(f"could not reach {text!r} with the Tab key")


def test_the_contribute_flow_works_with_the_keyboard_alone(signed_in):
    lee = signed_in("lee")
    lee.keyboard.press("Tab")
    assert lee.evaluate("document.activeElement.innerText") == "Skip to main content"
    tab_to(lee, "Getting to Ely appointments")  # an issue of lee's hub, East Cambs
    lee.keyboard.press("Enter")
    expect(lee.get_by_role("heading", level=1)).to_contain_text("Getting to Ely appointments")
    tab_to(lee, "Add my input")
    lee.keyboard.press("Enter")
    expect(lee.get_by_role("heading", level=1)).to_have_text("Add my input")
    tab_to(lee, "What do you want to say?")
    lee.keyboard.type("Nobody told me an interpreter could be booked.")
    tab_to(lee, "Yes")
    lee.keyboard.press("Space")
    tab_to(lee, "Use my full name")
    lee.keyboard.press("Space")
    tab_to(lee, "Add my input")
    lee.keyboard.press("Enter")
    expect(lee.locator(".nhsuk-notification-banner")).to_contain_text("Your input is added.")
    expect(lee.locator(".nhsuk-card", has_text="Nobody told me an interpreter")).to_be_visible()


def test_the_sign_in_page_logs_nothing_and_every_icon_is_served(browser, site):
    page = browser.new_page(base_url=site)
    complaints = watch(page)
    for address in ("/sign-in", "/api/v1/docs"):
        page.goto(address)
        icon = page.locator("link[rel=icon]").get_attribute("href")
        assert page.request.get(icon).headers["content-type"].startswith("image/svg+xml"), address
    assert page.request.get("/favicon.ico").ok
    page.close()
    assert complaints == [], "\n".join(complaints)


def test_the_api_reference_lists_the_operations_offline(browser, site):
    page = browser.new_page(base_url=site)
    complaints = watch(page)
    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name="Raise an issue").first).to_be_visible(timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert complaints == [], "\n".join(complaints)
    page.close()
