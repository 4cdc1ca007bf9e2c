"""Ways in without an account, in a real browser on a phone-sized screen: someone new at a drop-in gets a
receipt; with its code, and no account, they follow what happened; the hub's public page and poster show
what may be quoted and what was done. Every new page passes axe and fits 360 pixels."""

from __future__ import annotations

import re
import subprocess

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import NARROWEST, PHONE, screenshot, watch
from tests.browser.test_accessibility import fits_the_screen, serious_violations
from tests.browser.test_journeys import HUB, go_to_issue, send, start_session_form, use_form

ISSUE = "A buddy when leaving hospital"
SAID = "Nobody met me at the door when I left the ward."
REPLY = "The ward now calls the hub before anyone leaves."
ACTION = "Ward staff call the hub on the day of discharge"


def checked(page: Page, name: str, complaints: list[str]) -> None:
    assert serious_violations(page) == [], f"{name}: {page.url}"
    assert fits_the_screen(page), f"{name} is wider than 360 px: {page.url}"
    assert complaints == [], f"{name}: {page.url}\n" + "\n".join(complaints)
    screenshot(page, name)


def stranger(browser: Browser, site: str) -> Page:
    """A fresh browser with no account and no cookies."""
    return browser.new_context(viewport=PHONE, base_url=site).new_page()


def record_someone_new(fran: Page) -> str:
    start_session_form(fran, "2026-03-06", "Arbury library drop-in", "Drop in", "5", "1")
    row = fran.get_by_role("group", name="Input 1")
    row.get_by_label("Who said it?").select_option(label="Someone new, without an account")
    row.get_by_label(re.compile("their first name or a nickname")).fill("Kit")
    row.get_by_label("About which issue?").select_option(label=ISSUE)
    row.get_by_label("What did they say?").fill(SAID)
    row.get_by_role("group", name="Did they agree it may be quoted?").get_by_label("Yes").check()
    row.get_by_label("Use their first name only").check()
    row.get_by_role("group", name=re.compile("printed on their receipt")).get_by_label("Yes").check()
    fran.get_by_role("button", name="Record the session").click()
    expect(fran.get_by_role("heading", level=1)).to_have_text("Receipts to give out")
    return fran.locator(".coproduce-slip__code").inner_text()


def test_someone_new_follows_their_input_from_receipt_to_public_poster(signed_in, browser, site):
    # given a facilitator at a drop-in, who records what someone new said and gets their receipt
    fran = signed_in("fran")
    complaints = watch(fran)
    code = record_someone_new(fran)
    expect(fran.locator(".coproduce-slip")).to_contain_text(SAID)
    checked(fran, "facilitator-receipt", complaints)
    with fran.expect_download() as download:
        fran.get_by_role("button", name="Download receipt 1 as a PDF").click()
    assert download.value.suggested_filename == "receipt.pdf"

    # when, in a fresh browser, the person types their code (in small letters, without dashes)
    person = stranger(browser, site)
    complaints = watch(person)
    person.goto("/track")
    checked(person, "public-track", complaints)
    person.get_by_label("Your code").fill(code.lower().replace("-", ""))
    person.get_by_role("button", name="Show what happened").click()
    # then they see their input, and how to ask at the hub
    expect(person.get_by_role("heading", level=1)).to_have_text("What happened to my input")
    expect(person.locator(".nhsuk-card", has_text=SAID)).to_contain_text("Waiting to hear back")
    expect(person.get_by_text("Ask at your hub, Cambridge & South.")).to_be_visible()
    checked(person, "public-tracked", complaints)

    # when the manager answers it, says the issue in plain words and publishes the hub
    sam = signed_in("sam")
    go_to_issue(sam, ISSUE)
    use_form(sam, "Give feedback on input")
    sam.get_by_label("What happened as a result of this input?").fill(REPLY)
    sam.get_by_label(re.compile("Kit: Nobody met me")).check()
    send(sam, "Give feedback on input")
    sam.goto(sam.url.split("?")[0] + "/action")  # in Explore the page offers actions only from Act: its address
    sam.get_by_label("What will be done?").fill(ACTION)
    sam.get_by_role("group", name="Who owns it?").get_by_role("radio").first.check()
    sam.get_by_label("When is it due?").fill("2030-01-31")
    sam.get_by_label(re.compile("Kit: Nobody met me")).check()
    send(sam, "Commit an action")
    use_form(sam, "Say it in plain words")
    sam.get_by_label(re.compile("In one short line")).fill("Someone to go home with after hospital")
    send(sam, "Say it in plain words")
    sam.get_by_role("link", name="Home", exact=True).click()
    sam.get_by_role("link", name=HUB).first.click()
    sam.get_by_role("link", name="The hub's public page and posters").click()
    complaints = watch(sam)
    checked(sam, "manager-publishing", complaints)
    sam.get_by_role("button", name="Turn the public page on").click()
    expect(sam.locator(".nhsuk-notification-banner")).to_contain_text("The hub's public page is on")

    # then the code's page shows the feedback
    person.goto(f"/track/{code}")
    expect(person.locator(".nhsuk-card", has_text=SAID)).to_contain_text(REPLY)

    # and the public page shows the quotable words, named as chosen, and the actions
    public = stranger(browser, site)
    complaints = watch(public)
    sam.get_by_role("link", name="Read the public page").click()
    public.goto(sam.url)
    card = public.locator(".nhsuk-card", has_text="Someone to go home with after hospital")
    expect(card).to_contain_text(SAID)
    expect(card).to_contain_text("– Kit")
    expect(card.get_by_role("heading", name="We did")).to_be_visible()
    expect(card).to_contain_text(ACTION)
    checked(public, "public-hub-page", complaints)
    public.get_by_role("link", name="A poster of this page, to print").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("You said, we did")
    checked(public, "public-poster", complaints)

    # and the poster's PDF holds the same words
    pdf = public.request.get(public.url.replace("/poster", "/poster.pdf"))
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf.body(), capture_output=True,
                                   check=True).stdout.decode().split())
    assert SAID in text and REPLY in text and "Kit" in text


def test_people_without_an_account_page_passes_axe(signed_in):
    fran = signed_in("fran")
    complaints = watch(fran)
    fran.get_by_role("link", name=HUB).first.click()
    fran.get_by_role("link", name=re.compile("People without an account")).click()
    checked(fran, "facilitator-someone-new", complaints)


def test_a_wrong_code_page_passes_axe(browser, site):
    person = stranger(browser, site)
    person.goto("/track")
    person.get_by_label("Your code").fill("KX7QP-42M9D-PDWTA")
    person.get_by_role("button", name="Show what happened").click()
    expect(person.get_by_role("heading", level=1)).to_have_text("We could not find that code")
    assert serious_violations(person) == [] and fits_the_screen(person)


def test_the_demos_published_hub_and_tracking_fit_320_pixels(signed_in, browser, site):
    priya = signed_in("priya")
    priya.get_by_role("link", name="Peterborough").first.click()
    priya.get_by_role("link", name="The hub's public page and posters").click()
    priya.get_by_role("link", name="Read the public page").click()
    narrow = browser.new_context(viewport=NARROWEST, base_url=site).new_page()
    for path in (priya.url.removeprefix(site), priya.url.removeprefix(site) + "/poster", "/track"):
        narrow.goto(path)
        assert fits_the_screen(narrow), path
    narrow.goto(priya.url.removeprefix(site))
    expect(narrow.get_by_text("An evening drop-in once a month would mean I could come after work.")).to_be_visible()
    expect(narrow.get_by_text("Thursday mornings")).to_have_count(0)
