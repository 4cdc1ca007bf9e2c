"""The session form in a real browser: pressing Enter in one of its fields records the session (the form's
default button is "Record the session"), never "Add another piece of input"; keyboard users still meet the
visible buttons in their order."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_journeys import HUB, start_session_form, write_down


def test_enter_in_the_place_field_records_the_session(signed_in):
    # given a facilitator who has filled in the session and one piece of input
    fran = signed_in("fran")
    start_session_form(fran, "2024-04-03", "Chesterton library", "Workshop", "4", "1")
    write_down(fran, 1, "Rob Ashby", "A buddy when leaving hospital", "The ward forgot to ring my carer.")
    # when they press Enter in the place field
    fran.get_by_label("Where was it held?", exact=True).press("Enter")
    # then the session is recorded, with no second block asked for
    expect(fran.locator(".nhsuk-notification-banner")).to_contain_text("with 1 piece of input")


def test_enter_in_an_unfinished_form_tries_to_record_it_rather_than_adding_a_block(signed_in):
    # given a facilitator who has only started the session form
    fran = signed_in("fran")
    fran.get_by_role("link", name=HUB).first.click()
    fran.get_by_role("link", name="Record a session and what was said there").click()
    fran.get_by_label("Where was it held?", exact=True).fill("Arbury community room")
    # when they press Enter in the place field
    fran.get_by_label("Where was it held?", exact=True).press("Enter")
    # then it is the record action that ran (the missing answers are named), and no "Input 2" block appeared
    expect(fran.locator(".nhsuk-error-summary")).to_contain_text("Date of the session")
    expect(fran.get_by_role("group", name="Input 2")).to_have_count(0)
    expect(fran.get_by_role("group", name="Input 1")).to_have_count(1)


def test_the_hidden_default_button_is_out_of_the_way_of_keyboard_and_screen_reader_users(signed_in):
    fran = signed_in("fran")
    fran.get_by_role("link", name=HUB).first.click()
    fran.get_by_role("link", name="Record a session and what was said there").click()
    # one button of each name for assistive technology, in the visible order
    buttons = fran.locator("main form").get_by_role("button")
    expect(buttons).to_have_text(["Add another piece of input", "Record the session"])
    # the copy that Enter uses cannot be tabbed to
    hidden = fran.locator("main form button[aria-hidden=true]")
    expect(hidden).to_have_attribute("tabindex", "-1")
