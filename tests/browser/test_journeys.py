"""Each role does its whole job in a real browser, on a phone-sized screen."""

from __future__ import annotations

import csv
import json
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import NARROWEST, screenshot

HUB = "Cambridge & South"


def go_to_issue(page: Page, title: str) -> None:
    page.get_by_role("link", name="Home", exact=True).click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def use_form(page: Page, link: str) -> None:
    page.get_by_role("link", name=link, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(link)


def send(page: Page, button: str) -> None:
    page.get_by_role("button", name=button).click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_be_visible()


def choose(page: Page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def write_down(fran: Page, number: int, expert: str, issue: str, words: str) -> None:
    """Fill in the session form's input block `number`: what `expert` said, quotable under their full name."""
    row = fran.get_by_role("group", name=f"Input {number}")
    row.get_by_label("Who said it?").select_option(label=expert)
    row.get_by_label("About which issue?").select_option(label=issue)
    row.get_by_label("What did they say?").fill(words)
    row.get_by_role("group", name="Did they agree it may be quoted?").get_by_label("Yes").check()
    row.get_by_label("Use their full name").check()


def start_session_form(fran: Page, held_on: str, place: str, kind: str, experts: str, staff: str) -> None:
    """From the home page: the hub's session form, with the session itself filled in."""
    fran.get_by_role("link", name=HUB).first.click()
    fran.get_by_role("link", name="Record a session and what was said there").click()
    fran.get_by_label("Date of the session").fill(held_on)
    fran.get_by_label("Where was it held?", exact=True).fill(place)
    choose(fran, "What kind of session?", kind)
    fran.get_by_label("How many experts came?").fill(experts)
    fran.get_by_label("How many staff came?").fill(staff)


def add_input(page: Page, issue: str, words: str) -> None:
    go_to_issue(page, issue)
    use_form(page, "Add my input")
    page.get_by_label("What do you want to say?").fill(words)
    choose(page, "May we quote your words to others?", "Yes")
    choose(page, "If we quote you, how should we name you?", "Use my first name only")
    send(page, "Add my input")


def test_an_expert_adds_input_and_later_sees_the_feedback_on_it(signed_in):
    words, reply = "The discharge lounge had nobody to ask about transport home.", "The ward now books transport."
    alex = signed_in("alex")
    add_input(alex, "A buddy when leaving hospital", words)
    alex.get_by_role("link", name="What happened to my input").click()
    card = alex.locator(".nhsuk-card", has_text=words)
    expect(card).to_contain_text("Waiting to hear back")

    sam = signed_in("sam")
    go_to_issue(sam, "A buddy when leaving hospital")
    use_form(sam, "Give feedback on input")
    sam.get_by_label("What happened as a result of this input?").fill(reply)
    sam.get_by_label(re.compile("Alex: The discharge lounge")).check()
    send(sam, "Give feedback on input")

    alex.reload()
    expect(card).to_contain_text(f"Feedback from Sam Okafor: {reply}")
    expect(card).not_to_contain_text("Waiting to hear back")
    screenshot(alex, "expert-what-happened-to-my-input")


def test_a_form_with_mistakes_says_what_is_wrong_by_each_field_and_keeps_the_answers(signed_in):
    jo = signed_in("jo")
    go_to_issue(jo, "A buddy when leaving hospital")
    use_form(jo, "Add my input")
    jo.get_by_label("What do you want to say?").fill("Words worth keeping")
    jo.get_by_role("button", name="Add my input").click()
    summary = jo.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Choose an answer to: May we quote your words to others?")
    summary.get_by_role("link", name="Choose an answer to: If we quote you, how should we name you?").click()
    expect(jo.get_by_label("What do you want to say?")).to_have_value("Words worth keeping")
    expect(jo).to_have_title(re.compile("^Error: "))
    screenshot(jo, "form-with-errors")


def test_a_manager_walks_an_issue_from_frame_to_closed(signed_in):
    title = "No interpreter at the walk-in centre"
    sam = signed_in("sam")
    sam.get_by_role("link", name=HUB).first.click()
    sam.get_by_role("link", name="Raise a new issue").click()
    sam.get_by_label("What is the issue?").fill(title)
    send(sam, "Raise the issue")
    expect(sam.get_by_role("heading", level=1)).to_have_text(title)
    use_form(sam, "Frame the issue")
    sam.get_by_label("What is the problem?").fill("People wait hours for an interpreter, or go without.")
    sam.get_by_label("Who does it affect?").fill("People who do not speak English")
    send(sam, "Frame the issue")
    before = sam.locator(".nhsuk-warning-callout", has_text="Before it can move to Explore")
    expect(before).to_contain_text(re.compile("no contribution from an expert yet.*no decision yet to select", re.I))

    add_input(signed_in("alex"), title, "My neighbour translated for me about my own diagnosis.")
    sam.reload()
    use_form(sam, "Select the issue to work on")
    sam.get_by_label("What did the hub decide, and how?").fill("Chosen by the experts at the hub meeting")
    choose(sam, "At what level of participation was this decided?", "Co-production")
    send(sam, "Select the issue to work on")
    expect(sam.get_by_text("It is ready to move to Explore.")).to_be_visible()
    advance(sam, "Explore")

    use_form(sam, "Record a finding")
    sam.get_by_label("What was found?").fill("No booking route for interpreters exists at walk-in centres.")
    sam.get_by_label(re.compile("Alex:")).check()
    send(sam, "Record a finding")
    use_form(sam, "Add a stakeholder")
    sam.get_by_label("Name of the organisation or person").fill("Walk-in centre")
    sam.get_by_label("What kind of stakeholder").fill("service")
    send(sam, "Add a stakeholder")
    advance(sam, "Act")

    use_form(sam, "Commit an action")
    sam.get_by_label("What will be done?").fill("Offer phone interpreting at the front desk")
    choose(sam, "Who owns it?", "Dr Nadia Shah")
    sam.get_by_label("When is it due?").fill("2030-01-31")
    sam.get_by_label(re.compile("Alex:")).check()
    send(sam, "Commit an action")

    owner = signed_in("dr.shah")
    owner.get_by_role("link", name="My actions").click()
    owner.get_by_role("link", name=re.compile("Mark done.*Offer phone interpreting")).click()
    owner.get_by_label("What was done?").fill("Phone interpreting is live at the desk.")
    send(owner, "Mark an action done")

    sam.reload()
    advance(sam, "Learn")
    use_form(sam, "Record learning")
    sam.get_by_label("What changed?").fill("Interpreters can be reached within minutes.")
    sam.get_by_label("What is the evidence?").fill("Three months of desk logs.")
    send(sam, "Record learning")
    expect(sam.locator(".nhsuk-warning-callout", has_text="Before it can be closed")).to_contain_text(re.compile("feedback", re.I))
    use_form(sam, "Give feedback on input")
    expect(sam.get_by_text("1 piece of input still awaits feedback.")).to_be_visible()
    sam.get_by_label("What happened as a result of this input?").fill("The desk now has phone interpreting.")
    sam.get_by_label(re.compile("Alex:")).check()
    send(sam, "Give feedback on input")
    use_form(sam, "Close the issue")
    sam.get_by_label("What was the outcome?").fill("Interpreting is offered on arrival.")
    choose(sam, "At what level of participation was this decided?", "Co-design")
    send(sam, "Close the issue")
    expect(sam.locator(".nhsuk-tag", has_text="Closed")).to_be_visible()
    sam.get_by_role("link", name="See all that happened").click()
    expect(sam.locator(".coproduce-timeline")).to_contain_text("closed the issue")


def advance(page: Page, stage: str) -> None:
    use_form(page, "Move to the next stage")
    expect(page.get_by_text(f"This moves the issue to {stage}.")).to_be_visible()
    page.get_by_label("Why is it ready to move on?").fill(f"Ready for {stage}")
    choose(page, "At what level of participation was this decided?", "Co-production")
    send(page, "Move to the next stage")
    expect(page.locator(".nhsuk-tag", has_text=stage)).to_be_visible()


def test_an_auditor_filters_the_audit_trail_and_exports_what_they_see(signed_in, tmp_path):
    auditor = signed_in("auditor")
    auditor.get_by_role("link", name="Audit trail", exact=True).click()
    expect(auditor.get_by_role("table")).not_to_contain_text("Account opened")  # set-up is hidden unless asked for
    expect(auditor.locator("caption")).to_contain_text(re.compile(r"events: page 1 of \d+"))
    auditor.get_by_label("Hub", exact=True).select_option(label=HUB)
    auditor.get_by_label("Issue", exact=True).select_option(label=f"Registering with a GP without a fixed address ({HUB})")
    auditor.get_by_label("What happened").select_option(label="Input recorded")
    auditor.get_by_role("button", name="Filter").click()
    expect(auditor).to_have_url(re.compile("kind=ContributionRecorded"))
    rows = auditor.locator("tbody tr")
    expect(rows.first).to_contain_text("Input recorded")
    shown = rows.count()
    assert shown == 2
    for index in range(shown):
        expect(rows.nth(index)).to_contain_text("Input recorded")

    with auditor.expect_download() as download:
        auditor.get_by_role("link", name="CSV (for spreadsheets)").click()
    with open(download.value.path(), newline="") as exported:
        records = list(csv.DictReader(exported))
    assert len(records) == shown and {r["kind"] for r in records} == {"ContributionRecorded"}
    assert len({r["hub_id"] for r in records}) == 1 and len({r["issue_id"] for r in records}) == 1
    with auditor.expect_download() as download:
        auditor.get_by_role("link", name="JSON Lines").click()
    lines = [json.loads(line) for line in open(download.value.path())]
    assert [line["position"] for line in lines] == [int(r["position"]) for r in records]

    auditor.get_by_role("link", name="Home", exact=True).click()
    auditor.get_by_role("link", name=HUB).first.click()
    auditor.get_by_role("link", name="Accountability report").click()
    expect(auditor.locator("svg[role=img]")).to_have_count(3)
    expect(auditor.get_by_role("img", name=re.compile("^Feedback within 28 days"))).to_be_visible()


def test_a_facilitator_records_a_session_with_input_from_several_experts(signed_in):
    fran = signed_in("fran")
    start_session_form(fran, "2024-03-27", "Arbury community room", "Workshop", "6", "2")
    said = {1: ("Rob Ashby", "The bus stops running before clinics finish."),
            2: ("Jo Carter", "Letters arrive after the appointment date.")}
    for number, (expert, words) in said.items():
        if number > 1:
            fran.get_by_role("button", name="Add another piece of input").click()
        write_down(fran, number, expert, "A buddy when leaving hospital", words)
    fran.get_by_role("button", name="Record the session").click()
    expect(fran.locator(".nhsuk-notification-banner")).to_contain_text("with 2 pieces of input")

    rob = signed_in("rob")
    rob.get_by_role("link", name="What happened to my input").first.click()
    card = rob.locator(".nhsuk-card", has_text=said[1][1])
    expect(card).to_contain_text("You said this at a workshop in Arbury community room on 27 March 2024 "
                                 "(written down by Fran Mills")


def test_everything_works_without_javascript_on_the_narrowest_screen(browser, site):
    context = browser.new_context(viewport=NARROWEST, base_url=site, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()  # no script moved it there
    page.get_by_label("Username").fill("kim")
    page.get_by_label("Password").fill("coproduce-demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Home", exact=True).click()
    title = page.locator("main ul a").first.inner_text()
    add_input(page, title, "Written with scripts switched off.")
    page.get_by_role("link", name="What happened to my input").first.click()
    expect(page.locator(".nhsuk-card", has_text="Written with scripts switched off.")).to_be_visible()
    context.close()


def test_an_admin_opens_an_account_and_a_hub_and_forgets_a_person_who_asks(signed_in, site):
    admin = signed_in("admin")
    admin.get_by_role("link", name="Accounts", exact=True).click()
    admin.get_by_role("link", name="Create a hub").click()
    admin.get_by_label("Name of the hub").fill("March")
    admin.get_by_label("Area it covers").fill("March and Chatteris")
    choose(admin, "How far along is it?", "Planning")
    send(admin, "Create the hub")
    expect(admin.get_by_role("heading", level=1)).to_have_text("March")

    admin.get_by_role("link", name="Accounts", exact=True).click()
    admin.get_by_role("link", name="Open an account").click()
    admin.get_by_label("Username").fill("nia")
    admin.get_by_label("Full name").fill("Nia Okoro")
    choose(admin, "Role", "Expert")
    admin.get_by_label("First password").fill("a long first password")
    admin.get_by_label("March", exact=True).check()
    send(admin, "Open the account")
    expect(admin.locator("tbody")).to_contain_text("Nia Okoro")

    nia = admin.context.browser.new_context(viewport={"width": 360, "height": 780}, base_url=site).new_page()
    nia.goto("/sign-in")
    nia.get_by_label("Username").fill("nia")
    nia.get_by_label("Password").fill("a long first password")
    nia.get_by_role("button", name="Sign in").click()
    expect(nia.get_by_role("heading", level=2, name="March")).to_be_visible()

    admin.get_by_role("link", name="Forget nia").click()
    expect(admin.locator(".nhsuk-warning-callout")).to_contain_text("cannot be undone")
    admin.get_by_label("Who asked?").fill("Nia Okoro, in person")
    admin.get_by_label("On what basis?").fill("UK GDPR Article 17 request")
    send(admin, "Forget this person for good")
    expect(admin.locator("tbody tr", has_text="nia")).to_contain_text("Forgotten")
    nia.reload()
    expect(nia.get_by_role("heading", level=1)).to_have_text("Sign in to Coproduce")  # signed out for good
    nia.context.close()
