"""The demo's issues, one function each, left at every stage of the cycle."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain import ParticipationLevel as Level, Stage
from service.demo.load import Demo

CS = "Cambridge & South"


def gp_registration_closed(d: Demo) -> UUID:
    """A full cycle: raised, explored with the university, acted on, learned from, closed."""
    app, sam = d.app, d.manager(CS)
    issue = d.raise_and_frame(
        CS, "Registering with a GP without a fixed address",
        "Practices turn people away when they cannot give a permanent address, so health problems go untreated until they reach A&E.",
        "People who are homeless, sofa-surfing or in temporary accommodation", "alex")
    first = d.said(issue, "alex", "The receptionist said no address, no appointment. I gave up.", hub=CS)
    second = d.said(issue, "rob", "I used the hostel address but got moved on and lost the registration.")
    d.select_and_explore(issue, CS, "Chosen by the hub as its first priority for the year")
    app.theme_contributions(issue, "refused at the front desk", [first, second], sam)
    app.add_stakeholder(issue, "University health research team", "university", sam)
    app.add_stakeholder(issue, "Local GP federation", "service", sam)
    app.record_finding(issue, "Practices were unaware that no proof of address is needed to register.", [first, second], sam)
    app.advance_stage(issue, Stage.ACT, "Findings agreed with the GP federation", Level.CO_DESIGN, sam)
    action = app.commit_action(issue, "Brief every reception team on registering without an address",
                               d.person("dr.shah"), date(2024, 3, 31), [first, second], sam)
    app.report_progress(issue, action, "Briefing given to 12 of 18 practices", d.actors["dr.shah"])
    app.complete_action(issue, action, "All 18 practices briefed; a card for experts to show at reception",
                        d.actors["dr.shah"])
    app.advance_stage(issue, Stage.LEARN, "The committed action is complete", Level.CO_PRODUCTION, sam)
    app.give_feedback(issue, "You told us practices turned you away; every practice has now been briefed and "
                             "there is a card you can show at reception.", [first, second], sam)
    app.record_learning(issue, "Experts registered at 5 practices that had refused before",
                        "Follow-up calls by two experts in March", "Check again in six months", sam)
    app.close_issue(issue, "Registration without an address now works across the area", Level.CO_PRODUCTION, sam)
    return issue


def digital_inclusion_learn(d: Demo) -> UUID:
    """In Learn, with one contribution still awaiting feedback: it cannot close yet."""
    app, sam = d.app, d.manager(CS)
    issue = d.raise_and_frame(
        CS, "Booking appointments when you have no phone or data",
        "More and more services only book online, which shuts out people without a phone, data or confidence.",
        "People without their own device or credit", "jo")
    answered = d.said(issue, "jo", "My phone got stolen and I missed three appointments in a month.", hub=CS)
    waiting = d.said(issue, "alex", "Library computers time out before the booking page loads.")
    d.select_and_explore(issue, CS, "Picked by the hub after a vote at the monthly meeting")
    app.add_stakeholder(issue, "County library service", "service", sam)
    app.record_finding(issue, "Three services had no way to book except online.", [answered, waiting], sam)
    app.advance_stage(issue, Stage.ACT, "Agreed with the library service", Level.CO_DESIGN, sam)
    action = app.commit_action(issue, "Free data top-ups and a booking phone line at two libraries",
                               d.person("maria"), date(2024, 6, 30), [answered], sam)
    app.complete_action(issue, action, "Running at both libraries since May", d.actors["maria"])
    app.advance_stage(issue, Stage.LEARN, "Action complete; time to see if it helped", Level.ENGAGEMENT, sam)
    app.give_feedback(issue, "You said losing your phone cut you off; two libraries now lend data and book for you.",
                      [answered], sam)
    app.record_learning(issue, "Missed appointments fell among people using the libraries",
                        "Library booking log, May to August", "Ask whether the time-out problem remains", sam)
    return issue


def trusted_person_act(d: Demo) -> UUID:
    """In Act, with an open action and progress reported."""
    app, sam = d.app, d.manager(CS)
    issue = d.raise_and_frame(
        CS, "One trusted person who stays with you between services",
        "Every referral means telling your story again to a stranger, and people drop out between services.",
        "People moving between housing, drug and alcohol, and mental health services", "rob")
    c = d.said(issue, "rob", "Having the same worker through my move kept me going.", hub=CS)
    d.select_and_explore(issue, CS, "Selected jointly with the trusted person pilot team")
    app.add_stakeholder(issue, "Housing options team", "service", sam)
    app.record_finding(issue, "Drop-out is highest in the first fortnight after a referral.", [c], sam)
    app.advance_stage(issue, Stage.ACT, "The pilot team agreed to act", Level.CO_PRODUCTION, sam)
    action = app.commit_action(issue, "Test a named trusted person for 20 people moving services",
                               d.person("maria"), date(2024, 9, 30), [c], sam)
    app.report_progress(issue, action, "11 people matched with a trusted person so far", d.actors["maria"])
    return issue


def buddy_system_explore(d: Demo) -> UUID:
    app, sam = d.app, d.manager(CS)
    issue = d.raise_and_frame(
        CS, "A buddy when leaving hospital",
        "People are discharged with nobody to help them settle, and many are readmitted within weeks.",
        "People discharged from hospital without support at home", "jo")
    d.said(issue, "jo", "Coming out of hospital to an empty flat was the hardest part.")
    d.select_and_explore(issue, CS, "Selected after peer mentors raised it twice")
    app.add_stakeholder(issue, "Hospital discharge team", "service", sam)
    return issue


def pharmacy_stigma_parked(d: Demo) -> UUID:
    app, sam = d.app, d.manager(CS)
    issue = d.raise_and_frame(
        CS, "Being judged when collecting a prescription",
        "Some pharmacy counters make people feel watched and judged, so they stop collecting medicine.",
        "People collecting substitute prescriptions", "alex")
    d.said(issue, "alex", "I get served last every time.", quote=False)
    app.park(issue, "Waiting for the pharmacy network to name a contact", sam)
    return issue


def drop_in_times_explore(d: Demo) -> UUID:
    app, priya = d.app, d.manager("Peterborough")
    issue = d.raise_and_frame(
        "Peterborough", "Drop-in times that clash with support appointments",
        "Hub drop-ins fall at the same time as key-worker appointments, so people must choose between them.",
        "People with regular support appointments", "kim")
    first = d.said(issue, "kim", "I can never come because Tuesdays are my key-worker day.", hub="Peterborough")
    app.theme_contributions(issue, "timing", [first], priya)
    d.select_and_explore(issue, "Peterborough", "First area selected from the themed drop-in feedback")
    return issue


def letters_frame(d: Demo) -> UUID:
    app, priya = d.app, d.manager("Peterborough")
    issue = d.raise_and_frame(
        "Peterborough", "Letters that arrive after you have moved on",
        "Appointment letters go to old addresses, and missing them counts against you.",
        "People in short-term accommodation", "kim")
    c = d.said(issue, "kim", "A letter came to the hostel two weeks after I left.", hub="Peterborough")
    app.theme_contributions(issue, "communication", [c], priya)
    return issue


def transport_frame(d: Demo) -> UUID:
    return d.app.raise_issue(d.hubs["East Cambs"], "Getting to Ely appointments from Littleport without a car",
                             d.actors["lee"])


STORIES = [gp_registration_closed, digital_inclusion_learn, trusted_person_act, buddy_system_explore,
           pharmacy_stigma_parked, drop_in_times_explore, letters_frame, transport_frame]
