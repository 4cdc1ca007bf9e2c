"""What a new user found trying every page as each role, each said back the way a real user expects
(through Flask's test client, on the e2e world: two hubs, a person in every role)."""

from __future__ import annotations

import html
import re

from domain import Attribution, Channel, Stage
from projections.times import now
from service.web import charts, wording
from tests.e2e.test_ways_in import CODE, session_form, signed_in, token_on

DAY = r"\d{1,2} [A-Z][a-z]+ \d{4}"


def text_of(page: str) -> str:
    """The page's words, as a reader takes them: tags dropped, entities read, spaces made single."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def sent(client, path: str, **answers) -> str:
    """The form at `path` filled in with `answers` and sent, as a browser does; the page it leads to, as words."""
    shown = client.get(path).text
    version = re.search(r'name="version" value="(\d+)"', shown)
    form = {"csrf_token": token_on(shown), **({"version": version.group(1)} if version else {}), **answers}
    answer = client.post(path, data=form)
    assert answer.status_code == 303, text_of(answer.text)[:600]
    return text_of(client.get(answer.headers["Location"]).text)


def as_who(world, name: str):
    return world.app.actor_for(name)


def issue_path(world, what: str = "") -> str:
    return f"/issues/{world.issues['own']}" + (f"/{what}" if what else "")


def frame_and_advance(world, to_act: bool = False) -> None:
    manager, issue = as_who(world, "hub_manager"), world.issues["own"]
    world.app.frame(issue, "The bus is far", "People at the hostel", manager)
    world.app.advance_stage(issue, Stage.EXPLORE, "Ready", "co-design", manager)
    if to_act:
        world.app.record_finding(issue, "It is far", [world.contributions["own"]], manager)
        world.app.add_stakeholder(issue, "The council", "commissioner", manager)
        world.app.advance_stage(issue, Stage.ACT, "Ready", "co-design", manager)


# 1
def test_the_add_my_input_hint_names_only_who_may_read_unquoted_words(world):
    page = text_of(signed_in(world, "expert").get(issue_path(world, "contribute")).text)
    assert "auditors" not in page
    assert "Unless you agree it may be quoted, only you and your hub's managers can read it." in page


# 2
def test_every_form_says_what_it_did_in_a_past_tense_sentence_naming_the_stage_it_moved_to(world):
    expert, manager = signed_in(world, "expert"), signed_in(world, "hub_manager")
    assert "Your input is added." in sent(expert, issue_path(world, "contribute"), text="More to say",
                                          may_quote="yes", attribution="name")
    assert "The problem is written down." in sent(manager, issue_path(world, "frame"), problem="Far",
                                                  affected="People at the hostel")
    moved = sent(manager, issue_path(world, "advance"), reason="Framed and chosen", level="co-production")
    assert "The issue moved to Explore." in moved and "Done: move to the next stage" not in moved
    owner = str(world.ids["action_owner"])
    assert "The action is committed." in sent(manager, issue_path(world, "action"), title="Ask the council",
                                              owner_id=owner, due="2030-01-01",
                                              contribution_ids=str(world.contributions["own"]))
    assert "The action is marked done." in sent(manager, issue_path(world, "complete"),
                                                action_id=str(world.actions["own"]), note="Asked")
    decision = str(world.decisions["own"])
    rated = sent(expert, issue_path(world, "rate"), decision=decision, level="consultation")
    assert "Thank you: your answer about the decision is recorded." in rated and "Done: say how" not in rated


# 3
def test_my_input_says_when_input_was_written_down_the_same_way_each_time(world):
    facilitator = as_who(world, "facilitator")
    world.app.record_contribution(world.issues["own"], world.ids["expert"], "Said at the drop-in", facilitator,
                                  channel=Channel.IN_PERSON, may_quote=True, attribution=Attribution.NAME,
                                  session_id=world.sessions["own"])
    page = text_of(signed_in(world, "expert").get("/my-input").text)
    assert "— is this right?" in page
    said = re.search(rf"You said this at a drop-in in Library on ({DAY}) \(written down by Facilitator Person"
                     rf"(?: on ({DAY}))?\)", page)
    assert said and said.group(1) == "1 September 2023", page
    written = {day for day in re.findall(rf"[Ww]ritten down by Facilitator Person[^.—]*? on ({DAY})", page)}
    assert len(written) <= 1, written  # one day it was written down, or none said twice


# 4
def test_a_receipt_is_dated_the_day_of_the_session(world):
    page = text_of(session_form(world, signed_in(world, "facilitator"), text="Buses").text)
    assert "Date: 6 March 2026" in page


# 5
def test_the_accountability_report_names_its_last_day_and_counts_in_plain_plurals(world):
    world.app.rate_participation(world.issues["own"], world.decisions["own"], "consultation",
                                 as_who(world, "expert"))
    manager = signed_in(world, "hub_manager")
    page = text_of(manager.get(f"/hubs/{world.hubs['own']}/accountability?from=2025-01-01&to=2025-12-31").text)
    assert "From 1 January 2025 to 31 December 2025." in page and "not included" not in page
    today = text_of(manager.get(f"/hubs/{world.hubs['own']}/accountability").text)
    assert f"to {wording.long_date(now().date())}." in today
    assert "1 decision was recorded" in today and "experts said how decisions felt to them 1 time." in today
    assert "1 times" not in today and "1 decisions" not in today


def test_the_charts_count_one_day_and_one_rating_in_the_singular():
    report = {"contributions_received": 1, "overdue_feedback": 0, "awaiting_feedback": 1, "overdue_after_days": 1,
              "claimed_and_felt": [{"felt": {"consultation": 1}}], "decisions_by_level": {"co-design": 1}}
    assert "within 1 day," in charts.feedback_within(report).description
    assert "1 time." in charts.claimed_and_felt(report).description


# 6
def test_an_audit_page_past_the_last_shows_the_last_page(world):
    auditor = signed_in(world, "auditor")
    answer = auditor.get("/audit?page=99&set_up=yes")
    assert answer.status_code == 302 and "page=99" not in answer.headers["Location"]
    page = text_of(auditor.get(answer.headers["Location"]).text)
    caption = re.search(r"\d+ events?(?:: page (\d+) of (\d+))?", page)
    assert caption and caption.group(1) == caption.group(2), caption  # the last page (or the only one)
    assert "page 99" not in page


# 7
def test_the_audit_trail_says_each_kind_plainly_and_distinctly(world):
    kinds = list(wording.KIND_WORDS.values())
    assert len(set(kinds)) == len(kinds)
    assert not [k for k in kinds if k.startswith(("Began choosing", "Choice weighed against"))]
    page = signed_in(world, "auditor").get("/audit").text
    assert "of the issue of event" not in page
    assert "History<span class=\"nhsuk-u-visually-hidden\"> of “An issue in the own hub”</span>" in page


def test_an_expert_opening_the_audit_trail_is_told_who_may_read_it(world):
    expert = signed_in(world, "expert")
    for path in ("/audit", "/audit/export.csv"):
        answer = expert.get(path)
        assert answer.status_code == 403
        assert "Only auditors and admins can read the audit trail." in text_of(answer.text)
        assert "in this hub" not in answer.text


# 8
def test_words_not_to_be_quoted_are_explained_to_whoever_reads_them(world):
    manager = text_of(signed_in(world, "hub_manager").get(issue_path(world)).text)
    assert "Not to be quoted: only the hub's staff who need it can read this." in manager
    assert "only you and" not in manager
    mine = text_of(signed_in(world, "expert").get(issue_path(world)).text)
    assert "Not to be quoted: only you and the hub's staff who need it can read this." in mine


def test_input_given_by_the_expert_themselves_reads_gave_input_on_every_door(world):
    timeline = world.call("hub_manager", "GET", f"/api/v1/issues/{world.issues['own']}/timeline").json
    given = [entry for entry in timeline if "input" in entry["what"]]
    assert given and given[0]["what"] == "gave input (online; not to be quoted)", given
    assert given[0]["who"] == "an expert who asked not to be named"
    facilitator = as_who(world, "facilitator")
    world.app.record_contribution(world.issues["own"], world.ids["expert"], "Written down", facilitator,
                                  channel=Channel.IN_PERSON, may_quote=True, attribution=Attribution.FIRST_NAME,
                                  session_id=world.sessions["own"])
    timeline = world.call("hub_manager", "GET", f"/api/v1/issues/{world.issues['own']}/timeline").json
    assert any(e["what"].startswith("recorded input from Expert (in person") for e in timeline), timeline


# 9
def test_an_issue_offers_the_forms_of_its_stage(world):
    manager = signed_in(world, "hub_manager")
    links = lambda: re.findall(r'href="/issues/[^/"]+/([a-z-]+)"', manager.get(issue_path(world)).text)  # noqa: E731
    in_frame = links()
    assert "frame" in in_frame and "select" in in_frame
    for later in ("finding", "stakeholder", "action", "learning"):
        assert later not in in_frame, later
    frame_and_advance(world)
    in_explore = links()
    assert {"finding", "stakeholder", "theme"} <= set(in_explore)  # theme: whenever there is input
    assert "action" not in in_explore and "learning" not in in_explore and "frame" not in in_explore
    assert manager.get(issue_path(world, "action")).status_code == 200  # still reachable by its address


# 10
def test_an_action_marked_done_shows_its_done_note(world):
    manager = as_who(world, "hub_manager")
    world.app.report_progress(world.issues["own"], world.actions["own"], "Asked the council; they are checking",
                              manager)
    world.app.complete_action(world.issues["own"], world.actions["own"], "The council moved the stop", manager)
    page = text_of(signed_in(world, "hub_manager").get(issue_path(world)).text)
    assert "Done: The council moved the stop" in page
    assert "Latest: Asked the council" not in page


# 11
def test_a_public_page_labels_what_came_of_an_issue(world):
    manager, issue = as_who(world, "hub_manager"), world.issues["own"]
    frame_and_advance(world, to_act=True)
    world.app.complete_action(issue, world.actions["own"], "Done it", manager)
    world.app.advance_stage(issue, Stage.LEARN, "Done", "co-design", manager)
    world.app.record_learning(issue, "Buses stop nearer", "People said so", "", manager)
    world.app.give_feedback(issue, "The stop moved", [world.contributions["own"]], manager)
    world.app.close_issue(issue, "Texts before letters", "co-production", manager)
    world.app.publish_hub(world.hubs["own"], manager)
    page = text_of(world.client.application.test_client().get(f"/public/hubs/{world.hubs['own']}").text)
    assert "What came of it: Texts before letters" in page


# 12
def test_the_api_link_is_only_on_signed_in_staff_pages(world):
    api = 'href="/api/v1/docs"'
    assert api in signed_in(world, "hub_manager").get("/").text
    assert api in signed_in(world, "auditor").get("/audit").text
    assert api not in signed_in(world, "expert").get("/").text
    assert api not in signed_in(world, "hub_manager").get("/track").text
    assert api not in world.client.application.test_client().get("/track").text


# 13
def test_an_admin_sets_a_password_and_the_person_signs_in_with_it(world):
    admin = signed_in(world, "admin")
    owner = world.ids["action_owner"]
    accounts = admin.get("/admin/accounts").text
    assert f'href="/admin/accounts/{owner}/password"' in accounts
    assert "Set a password<span class=\"nhsuk-u-visually-hidden\"> for Action_Owner Person</span>" in accounts
    form = admin.get(f"/admin/accounts/{owner}/password")
    assert form.status_code == 200 and "Set a password for Action_Owner Person" in text_of(form.text)
    short = admin.post(f"/admin/accounts/{owner}/password", data={"csrf_token": token_on(form.text),
                                                                   "password": "short"})
    assert short.status_code == 422 and "New password" in text_of(short.text)
    assert admin.post(f"/admin/accounts/{owner}/password", data={"password": "a good long password"}
                      ).status_code == 400  # no CSRF token: refused as every other form
    done = sent(admin, f"/admin/accounts/{owner}/password", password="a good long password")
    assert "Action_Owner Person's password is set." in done
    client = world.client.application.test_client()
    answer = client.post("/sign-in", data={"username": "action_owner", "password": "a good long password",
                                           "csrf_token": token_on(client.get("/sign-in").text)})
    assert answer.status_code == 303
    assert signed_in(world, "expert").get(f"/admin/accounts/{owner}/password").status_code == 403


# 14
def test_everyone_signed_in_is_offered_how_we_keep_you_posted(world):
    for who in ("hub_manager", "facilitator", "action_owner", "expert", "auditor"):
        assert 'href="/me/contact"' in signed_in(world, who).get("/").text, who


# 15
def test_forgetting_someone_new_names_them_as_the_page_did(world):
    session_form(world, signed_in(world, "facilitator"), new_name="Kit")
    admin = signed_in(world, "admin")
    kit = next(p.id for p in world.app.all_accounts(as_who(world, "admin"))
               if world.app.display_name(p.id) == "Kit")
    done = sent(admin, f"/admin/accounts/{kit}/forget", requested_by="Kit", authority="Their request")
    said = re.search(r"Success (.*?personal data is erased\.)", done).group(1)
    assert said == "Kit's personal data is erased.", said


# 16
def test_someone_else_s_input_cannot_be_opened_for_correcting_by_code(world):
    facilitator = signed_in(world, "facilitator")
    kit = CODE.search(session_form(world, facilitator, text="Kit's words").text).group(0)
    CODE.search(session_form(world, facilitator, text="Sam's words", new_name="Sam").text)
    issue = world.app.issue(world.issues["own"])
    written = {world.app.open_sealed(c.text): c.id for c in world.app.contributions(issue)}
    stranger = world.client.application.test_client()
    assert stranger.get(f"/track/{kit}/input/{issue.id}/{written['Sam' + chr(39) + 's words']}/correct"
                        ).status_code == 403
    assert stranger.get(f"/track/{kit}/input/{issue.id}/{written['Kit' + chr(39) + 's words']}/correct"
                        ).status_code == 200
