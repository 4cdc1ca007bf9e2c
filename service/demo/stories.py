"""The demo's issues, one story each, left at every stage of the cycle.

Each story yields the day its next steps happen on; `tell` runs them all in the order of
their days, so the store reads like the years it covers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from domain import ParticipationLevel as Level, SessionFormat, Stage
from service.demo.keeping_posted import keeping_posted
from service.demo.load import Demo
from service.demo.ways_in import peterborough_in_public

CS = "Cambridge & South"
PB = "Peterborough"


def gp_registration_closed(d: Demo) -> Iterator[date]:
    """A full cycle: raised, explored with the university, acted on, learned from, closed."""
    yield date(2022, 6, 14)
    app, sam = d.app, d.manager(CS)
    issue = d.raise_and_frame(
        CS, "Registering with a GP without a fixed address",
        "Practices turn people away when they cannot give a permanent address, so health problems go untreated until they reach A&E.",
        "People who are homeless, sofa-surfing or in temporary accommodation", "alex")
    first = d.said(issue, "alex", "The receptionist said no address, no appointment. I gave up.", hub=CS)
    yield date(2022, 6, 30)
    second = d.said(issue, "rob", "I used the hostel address but got moved on and lost the registration.")
    yield date(2022, 9, 13)
    d.select_and_explore(issue, CS, "Chosen by the hub as its first priority for the year")
    app.theme_contributions(issue, "refused at the front desk", [first, second], sam)
    yield date(2022, 10, 11)
    app.add_stakeholder(issue, "University health research team", "university", sam)
    app.add_stakeholder(issue, "Local GP federation", "service", sam)
    yield date(2023, 2, 14)
    app.record_finding(issue, "Practices were unaware that no proof of address is needed to register.", [first, second], sam)
    yield date(2023, 3, 14)
    app.advance_stage(issue, Stage.ACT, "What we learned was agreed with the GP federation", Level.CO_DESIGN, sam)
    action = app.commit_action(issue, "Brief every reception team on registering without an address",
                               d.person("dr.shah"), date(2023, 9, 30), [first, second], sam)
    yield date(2023, 6, 5)
    app.report_progress(issue, action, "Briefing given to 12 of 18 practices", d.actors["dr.shah"])
    yield date(2023, 9, 20)
    app.complete_action(issue, action, "All 18 practices briefed; a card for experts to show at reception",
                        d.actors["dr.shah"])
    yield date(2023, 10, 10)
    app.advance_stage(issue, Stage.LEARN, "The committed action is complete", Level.CO_PRODUCTION, sam)
    app.give_feedback(issue, "You told us practices turned you away; every practice has now been briefed and "
                             "there is a card you can show at reception.", [first, second], sam)
    yield date(2024, 3, 12)
    app.record_learning(issue, "Experts registered at 5 practices that had refused before",
                        "Follow-up calls by two experts in March", "Check again in six months", sam)
    yield date(2024, 4, 9)
    app.close_issue(issue, "Registration without an address now works across the area", Level.CO_PRODUCTION, sam)


def digital_inclusion_learn(d: Demo) -> Iterator[date]:
    """In Learn, with one contribution still awaiting feedback: it cannot close yet."""
    yield date(2023, 2, 14)
    app, sam = d.app, d.manager(CS)
    issue = d.raise_and_frame(
        CS, "Booking appointments when you have no phone or data",
        "More and more services only book online, which shuts out people without a phone, data or confidence.",
        "People without their own device or credit", "jo")
    yield date(2023, 3, 14)
    answered = d.said(issue, "jo", "My phone got stolen and I missed three appointments in a month.", hub=CS)
    yield date(2023, 3, 20)
    waiting = d.said(issue, "alex", "Library computers time out before the booking page loads.")
    yield date(2023, 4, 11)
    d.select_and_explore(issue, CS, "Picked by the hub after a vote at the monthly meeting")
    app.add_stakeholder(issue, "County library service", "service", sam)
    yield date(2023, 6, 13)
    app.record_finding(issue, "Three services had no way to book except online.", [answered, waiting], sam)
    yield date(2023, 7, 11)
    app.advance_stage(issue, Stage.ACT, "Agreed with the library service", Level.CO_DESIGN, sam)
    action = app.commit_action(issue, "Free data top-ups and a booking phone line at two libraries",
                               d.person("maria"), date(2024, 6, 30), [answered], sam)
    yield date(2024, 5, 20)
    app.complete_action(issue, action, "Running at both libraries since May", d.actors["maria"])
    yield date(2024, 6, 11)
    app.advance_stage(issue, Stage.LEARN, "Action complete; time to see if it helped", Level.ENGAGEMENT, sam)
    app.give_feedback(issue, "You said losing your phone cut you off; two libraries now lend data and book for you.",
                      [answered], sam)
    yield date(2024, 9, 10)
    app.record_learning(issue, "Missed appointments fell among people using the libraries",
                        "Library booking log, May to August", "Ask whether the time-out problem remains", sam)


def trusted_person_act(d: Demo) -> Iterator[date]:
    """In Act, with an open action past its date."""
    yield date(2023, 5, 9)
    app, sam = d.app, d.manager(CS)
    issue = d.raise_and_frame(
        CS, "One trusted person who stays with you between services",
        "Every referral means telling your story again to a stranger, and people drop out between services.",
        "People moving between housing, drug and alcohol, and mental health services", "rob")
    c = d.said(issue, "rob", "Having the same worker through my move kept me going.", hub=CS)
    yield date(2023, 6, 13)
    d.select_and_explore(issue, CS, "Selected jointly with the trusted person pilot team")
    app.add_stakeholder(issue, "Housing options team", "service", sam)
    yield date(2023, 10, 10)
    app.record_finding(issue, "Drop-out is highest in the first fortnight after a referral.", [c], sam)
    yield date(2023, 11, 14)
    app.advance_stage(issue, Stage.ACT, "The pilot team agreed to act", Level.CO_PRODUCTION, sam)
    action = app.commit_action(issue, "Test a named trusted person for 20 people moving services",
                               d.person("maria"), date(2024, 9, 30), [c], sam)
    yield date(2024, 5, 2)
    app.report_progress(issue, action, "11 people matched with a trusted person so far", d.actors["maria"])


def pharmacy_stigma_parked(d: Demo) -> Iterator[date]:
    yield date(2023, 8, 8)
    app, sam = d.app, d.manager(CS)
    issue = d.raise_and_frame(
        CS, "Being judged when collecting a prescription",
        "Some pharmacy counters make people feel watched and judged, so they stop collecting medicine.",
        "People collecting substitute prescriptions", "alex")
    d.said(issue, "alex", "I get served last every time.", quote=False)
    yield date(2023, 12, 1)
    app.park(issue, "Waiting for the pharmacy network to name a contact", sam)


def buddy_system_explore(d: Demo) -> Iterator[date]:
    yield date(2023, 10, 10)
    app, sam = d.app, d.manager(CS)
    issue = d.raise_and_frame(
        CS, "A buddy when leaving hospital",
        "People leave hospital with nobody to help them settle in. Many are back in hospital within weeks.",
        "People sent home from hospital with no help at home", "jo")
    d.said(issue, "jo", "Coming out of hospital to an empty flat was the hardest part.", hub=CS)
    yield date(2023, 12, 12)
    d.select_and_explore(issue, CS, "Selected after peer mentors raised it twice")
    yield date(2024, 1, 9)
    app.add_stakeholder(issue, "Hospital discharge team", "service", sam)


def trauma_informed_explore(d: Demo) -> Iterator[date]:
    yield date(2024, 2, 13)
    app, sam = d.app, d.manager(CS)
    issue = d.raise_and_frame(
        CS, "Front doors that expect people to be at their best",
        "Reception desks treat a bad day as bad behaviour, and people are barred before anyone asks what happened.",
        "People whose past makes waiting rooms and queues hard", "rob")
    first = d.said(issue, "rob", "Raise your voice once and you are on a list for a year.", hub=CS)
    yield date(2024, 2, 20)
    second = d.said(issue, "alex", "Nobody asked why I was upset, they just called security.")
    yield date(2024, 4, 9)
    d.select_and_explore(issue, CS, "The hub's second priority after the reflection session")
    app.theme_contributions(issue, "barred for a bad day", [first, second], sam)
    app.add_stakeholder(issue, "Adult social care front door", "service", sam)


def leaflets_frame(d: Demo) -> Iterator[date]:
    yield date(2024, 5, 14)
    issue = d.raise_and_frame(
        CS, "Leaflets people can actually read",
        "Service leaflets are long, small-print and full of terms nobody explains.",
        "People with low literacy or who read English as a second language", "jo")
    letter = d.said(issue, "jo", "I needed someone to read the letter to me before I knew it was about my benefits.",
                    hub=CS)
    yield date(2024, 6, 11)
    pictures = d.said(issue, "rob", "Pictures and one page would do it.", hub=CS)
    yield date(2024, 6, 13)  # each checks what Fran wrote down for them
    d.app.confirm_contribution(issue, letter, d.actors["jo"])
    d.app.correct_contribution(issue, pictures, "Pictures, big print, and the whole thing on one page.",
                               d.actors["rob"])


def drop_in_times_explore(d: Demo) -> Iterator[date]:
    """Peterborough's first area, selected from its themed drop-in feedback."""
    yield date(2023, 4, 25)
    app, priya = d.app, d.manager(PB)
    issue = d.raise_and_frame(
        PB, "Drop-in times that clash with support appointments",
        "Hub drop-ins fall at the same time as key-worker appointments, so people must choose between them.",
        "People with regular support appointments", "kim")
    first = d.said(issue, "kim", "I can never come because Tuesdays are my key-worker day.", hub=PB)
    yield date(2023, 6, 20)
    second = d.said(issue, "kim", "Mornings are no good when your meds make you slow.", hub=PB)
    yield date(2023, 7, 25)
    app.theme_contributions(issue, "timing", [first, second], priya)
    yield date(2023, 9, 5)
    d.select_and_explore(issue, PB, "First area chosen from what people said at the drop-ins")


def letters_frame(d: Demo) -> Iterator[date]:
    yield date(2023, 5, 23)
    app, priya = d.app, d.manager(PB)
    issue = d.raise_and_frame(
        PB, "Letters that arrive after you have moved on",
        "Appointment letters go to old addresses, and missing them counts against you.",
        "People in short-term accommodation", "kim")
    c = d.said(issue, "kim", "A letter came to the hostel two weeks after I left.", hub=PB)
    yield date(2023, 7, 25)
    app.theme_contributions(issue, "communication", [c], priya)


def transport_frame(d: Demo) -> Iterator[date]:
    """Raised after East Cambs' first meeting in Ely."""
    yield date(2023, 9, 27)
    d.app.raise_issue(d.hubs["East Cambs"], "Getting to Ely appointments from Littleport without a car",
                      d.actors["lee"])


def carrying_on(d: Demo) -> Iterator[date]:
    """Cambridge & South to this day: its monthly meetings, input on the issues it works on, and
    feedback in time, late, or still to come, so the report on the last twelve months (what the
    pages show unless asked for another period) has figures. Its days count back from today."""
    yield d.today - timedelta(days=336)
    app, sam = d.app, d.manager(CS)
    front_doors, leaflets = (d.issues["Front doors that expect people to be at their best"],
                             d.issues["Leaflets people can actually read"])
    steps = {
        300: lambda: d.said(front_doors, "rob", "They barred my mate for swearing when his benefits had just been stopped.", hub=CS),
        240: lambda: d.said(leaflets, "jo", "The hospital letter had four pages before it said where to go.", hub=CS),
        150: lambda: d.said(front_doors, "alex", "The new worker asked me what had happened before anything else."),
        60: lambda: d.said(front_doors, "rob", "Security still stands by the door on Mondays.", hub=CS),
        10: lambda: d.said(leaflets, "alex", "Easy-read is better, but the phone numbers are still tiny.", hub=CS),
    }
    answers = {
        280: (front_doors, 300, "You told us people are barred for one bad moment; the front door team now asks "
                                "what happened before anyone is barred."),
        200: (leaflets, 240, "You told us letters bury where to go; the hospital is testing a one-page letter."),
        130: (front_doors, 150, "You said being asked first made the difference; we have shared that with every "
                                "front door team."),
    }
    said: dict[int, object] = {}
    for days_ago in sorted({*range(336, -1, -28), *steps, *answers}, reverse=True):
        yield d.today - timedelta(days=days_ago)
        if days_ago % 28 == 0:
            d.sessions[CS] = app.record_session(d.hubs[CS], sam, held_on=d.today - timedelta(days=days_ago),
                                                place="Cambridge community centre", format=SessionFormat.MEETING,
                                                experts_attended=12 + days_ago % 5, staff_attended=5)
        if days_ago in steps:
            said[days_ago] = steps[days_ago]()
        if days_ago in answers:
            issue, to, words = answers[days_ago]
            app.give_feedback(issue, words, [said[to]], sam)


def priorities_voted_on(d: Demo) -> Iterator[date]:
    """Cambridge & South's experts choose between its issues in Frame: online and on paper at the
    monthly meeting. The hub then starts with the one ranked second, and tells them why."""
    yield d.today - timedelta(days=60)
    app, sam = d.app, d.manager(CS)
    reaching = d.raise_and_frame(
        CS, "Reaching people from more communities",
        "Most people who come to the hub are from the same few backgrounds; others never hear of it.",
        "People from communities the hub has not reached yet", "jo")
    d.said(reaching, "jo", "Nobody from my street knows the hub exists.")
    leaflets = d.issues["Leaflets people can actually read"]
    yield d.today - timedelta(days=57)
    round_id = app.open_round(d.hubs[CS], [leaflets, reaching], d.today - timedelta(days=42), sam)
    yield d.today - timedelta(days=55)
    for expert, dots in (("alex", {leaflets: 2, reaching: 1}), ("jo", {reaching: 3}), ("rob", {leaflets: 3})):
        app.cast_ballot(round_id, dots, d.actors[expert])
    app.record_tally(round_id, d.sessions[CS], {leaflets: 11, reaching: 16}, 9, d.actors["fran"])
    yield d.today - timedelta(days=41)
    app.close_round(round_id, sam)
    yield d.today - timedelta(days=40)
    app.select(leaflets, "Agreed at the hub meeting after the vote", Level.CONSULTATION, sam,
               reason_for_experts="The hospital can test a one-page letter with us now, and not again until next "
                                  "year. We will start on reaching more communities in the spring.")
    yield d.today - timedelta(days=39)
    app.select(reaching, "Chosen too, as the experts voted, to start in the spring", Level.CO_PRODUCTION, sam)


ISSUES = [gp_registration_closed, digital_inclusion_learn, trusted_person_act, pharmacy_stigma_parked,
           buddy_system_explore, trauma_informed_explore, leaflets_frame, drop_in_times_explore, letters_frame,
           transport_frame]
STORIES = [*ISSUES, carrying_on, priorities_voted_on, peterborough_in_public, keeping_posted]
