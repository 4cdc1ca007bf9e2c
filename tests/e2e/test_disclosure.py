"""Consent holds on every surface that shows input: the disclosure table of the product brief,
checked for every kind of viewer on the API's issue and history, the web's issue, history and
feedback pages, someone's input read by an auditor, and the command line's `show` and `history`.

Alex Reid gives three pieces of input on one issue: one of his own, not to be quoted and not
named; one Fran wrote down for him at a drop-in, to be quoted by first name; and one, not named,
that he then withdraws. He also says how a decision felt.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from click.testing import CliRunner

from domain import Attribution, Channel, Role
from service import create_app
from service.cli.main import cli
from tests.e2e.doors import OpenContext

PASSWORD = "correct horse battery"
UNQUOTABLE, QUOTABLE, WITHDRAWN = "UNQUOTABLE-words-of-alex", "QUOTABLE-words-of-alex", "WITHDRAWN-words-of-alex"
SURNAME = "Reid"
VIEWERS = ["alex", "fran", "fred", "sam", "jo", "owner", "auditor", "admin"]
# who may read words not to be quoted: the contributor, who wrote them down, the hub's manager
READS_UNQUOTABLE = {"alex", "sam"}


class Story:
    def __init__(self, flask_app, gap: str = " "):
        """`gap`: what parts Alex's first name from his surname."""
        self.flask_app, self.app = flask_app, flask_app.extensions["coproduce"]
        app = self.app
        self.ids = {"admin": app.register_first_admin("admin", "Ada Admin")}
        admin = app.account(self.ids["admin"]).as_actor()
        self.hub = app.create_hub("Cambridge & South", "Cambridge", "established", admin)
        people = [("alex", Role.EXPERT, f"Alex{gap}{SURNAME}"), ("jo", Role.EXPERT, "Jo Carter"),
                  ("fran", Role.FACILITATOR, "Fran Mills"), ("fred", Role.FACILITATOR, "Fred Long"),
                  ("sam", Role.HUB_MANAGER, "Sam Okafor"), ("owner", Role.ACTION_OWNER, "Nadia Shah"),
                  ("auditor", Role.AUDITOR, "Avery Quinn")]
        for username, role, name in people:
            hubs = [] if role == Role.AUDITOR else [self.hub]
            self.ids[username] = app.open_account(username, role, name, "", admin, password=PASSWORD, hub_ids=hubs)
        app.set_password(self.ids["admin"], PASSWORD)
        actor = {name: app.actor_for(name) for name in self.ids}
        self.issue = app.raise_issue(self.hub, "Registering with a GP", actor["sam"])
        session = app.record_session(self.hub, actor["fran"], held_on=date(2023, 9, 12), place="Library",
                                     format="drop-in", experts_attended=6, staff_attended=2)
        self.own = app.record_contribution(self.issue, self.ids["alex"], UNQUOTABLE, actor["alex"],
                                           channel=Channel.ONLINE, may_quote=False, attribution=Attribution.ANONYMOUS)
        self.written = app.record_contribution(self.issue, self.ids["alex"], QUOTABLE, actor["fran"],
                                               channel=Channel.IN_PERSON, may_quote=True,
                                               attribution=Attribution.FIRST_NAME, session_id=session)
        self.gone = app.record_contribution(self.issue, self.ids["alex"], WITHDRAWN, actor["alex"],
                                            channel=Channel.ONLINE, may_quote=True, attribution=Attribution.ANONYMOUS)
        app.withdraw_contribution(self.issue, self.gone, actor["alex"])
        app.frame(self.issue, "No address, no GP", "People without a fixed address", actor["sam"])
        app.select(self.issue, "Chosen at the hub meeting", "co-design", actor["sam"])
        app.rate_participation(self.issue, app.issue(self.issue).version, "consultation", actor["alex"])
        self.tokens = {name: app.credentials.issue_token(self.ids[name], "tests")[1] for name in VIEWERS}

    def api(self, viewer: str, path: str):
        answer = self.flask_app.test_client().get(path, headers={"Authorization": f"Bearer {self.tokens[viewer]}"})
        assert answer.status_code == 200, answer.text
        return answer.json

    def web(self, viewer: str, *paths: str) -> list[str]:
        client = self.flask_app.test_client()
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/sign-in").text).group(1)
        signed = client.post("/sign-in", data={"username": viewer, "password": PASSWORD, "csrf_token": token})
        assert signed.status_code == 303, signed.text
        pages = [client.get(path) for path in paths]
        return [page.text for page in pages if page.status_code == 200]

    def cli(self, viewer: str, *args: str) -> str:
        OpenContext.shared = self.app
        result = CliRunner().invoke(cli, [*args, str(self.issue), "--as", viewer], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output


@pytest.fixture
def told(store, monkeypatch):
    """Tells the story, its first name and surname parted by the gap given."""
    monkeypatch.setenv("COPRODUCE_PROJECTIONS", "inline")
    monkeypatch.setattr("service.cli.main.Context", OpenContext)
    flask_app = create_app({"database_url": store.url.render_as_string(hide_password=False),
                            "rate_limit": "100000 per minute", "sign_in_limit": "100000 per minute"})
    flask_app.config["SESSION_COOKIE_SECURE"] = False
    yield lambda gap=" ": Story(flask_app, gap)
    flask_app.extensions["coproduce"].close()


@pytest.fixture
def story(told):
    return told()


def _everything_seen_by(story: Story, viewer: str) -> str:
    """Every surface that shows the issue's input, as `viewer` gets it, in one text."""
    issue = f"/api/v1/issues/{story.issue}"
    seen = [json.dumps(story.api(viewer, issue)), json.dumps(story.api(viewer, issue + "/timeline")),
            json.dumps(story.api(viewer, issue + "/history"))]
    seen += story.web(viewer, f"/issues/{story.issue}", f"/issues/{story.issue}/history",
                      f"/issues/{story.issue}/feedback", f"/issues/{story.issue}/theme")
    seen += [story.cli(viewer, "show"), story.cli(viewer, "history")]
    if viewer in ("auditor", "admin"):
        seen.append(json.dumps(story.api(viewer, f"/api/v1/accounts/{story.ids['alex']}/input")))
    return "\n".join(seen)


def test_every_surface_shows_input_as_its_contributor_agreed(story):
    for viewer in VIEWERS:  # one story for every viewer: looking changes nothing
        # when
        seen = _everything_seen_by(story, viewer)
        # then: words not to be quoted reach only those the table lets read them
        assert (UNQUOTABLE in seen) == (viewer in READS_UNQUOTABLE), viewer
        assert QUOTABLE in seen, viewer
        assert WITHDRAWN not in seen, viewer
        # the full name: to Alex himself, and to Fran, who wrote down what he said
        assert (SURNAME in seen) == (viewer in ("alex", "fran")), viewer
        # the id that would tie his unnamed input to the rest: to Alex alone
        assert (str(story.ids["alex"]) in seen) == (viewer == "alex"), viewer
        # how the decision felt to him: counts only, unless it is his own rating
        assert ("felt like consultation" in seen) == (viewer == "alex"), viewer


@pytest.mark.parametrize("gap", ["\u00a0", "\t", "\u3000", "\u2800", "  ", "\u2063", "\u00ad", "\U000e0020",
                                 "\u200d", "\u034f"],
                         ids=["no-break space", "tab", "ideographic space", "blank braille cell", "two spaces",
                              "invisible separator", "soft hyphen", "tag space", "zero-width joiner",
                              "combining grapheme joiner"])
def test_a_first_name_is_only_the_first_name_whatever_gap_parts_it_from_the_surname(told, gap):
    story = told(gap)
    sam = story.app.actor_for("sam")
    story.app.give_feedback(story.issue, "We asked the surgery", [story.written], sam)
    for viewer in ("jo", "sam", "auditor"):
        assert SURNAME not in _everything_seen_by(story, viewer), viewer
    published = _published(story)
    assert "– Alex" in published and SURNAME not in published
    assert SURNAME in _everything_seen_by(story, "fran")


def test_the_api_says_how_each_piece_of_input_is_named_to_each_viewer(story):
    for viewer in VIEWERS:
        contributions = {c["id"]: c for c in story.api(viewer, f"/api/v1/issues/{story.issue}")["contributions"]}
        own, written = contributions[str(story.own)], contributions[str(story.written)]
        assert own["contributor"] == ("Alex Reid" if viewer == "alex" else "an expert who asked not to be named")
        assert written["contributor"] == ("Alex Reid" if viewer in ("alex", "fran") else "Alex")
        assert own["text_status"] == ("shown" if viewer in READS_UNQUOTABLE else "not_shown")
        assert written["entered_by"] == str(story.ids["fran"]) and own["entered_by"] is None


def test_the_history_of_an_unnamed_experts_own_acts_does_not_name_them(story):
    entries = story.api("jo", f"/api/v1/issues/{story.issue}/history")
    own_acts = [e for e in entries if e["kind"] in ("ContributionRecorded", "ContributionWithdrawn")
                and e["role"] == "expert"]
    assert len(own_acts) == 3  # two pieces of input he gave himself, and a withdrawal
    assert {e["who"] for e in own_acts} == {"an expert who asked not to be named"}
    rating = next(e for e in entries if e["kind"] == "ParticipationRated")
    assert rating["who"] == "an expert" and rating["level"] == ""


def test_the_public_reads_a_published_hub_as_the_table_says(story):
    # given the hub publishes, and its manager answered the quotable input
    sam = story.app.actor_for("sam")
    story.app.give_feedback(story.issue, "We asked the surgery", [story.written], sam)
    # when the public reads the page, its feed and its poster
    seen = _published(story)
    # then: quotable words only, named as chosen, and no id or rating
    assert QUOTABLE in seen and "– Alex" in seen and "We asked the surgery" in seen
    assert UNQUOTABLE not in seen and WITHDRAWN not in seen and SURNAME not in seen
    assert str(story.ids["alex"]) not in seen and "felt like" not in seen


CORRECTED = "CORRECTED-words-of-alex"


def _quotable_in(seen: str) -> bool:
    """The words Fran wrote down (QUOTABLE is also the end of UNQUOTABLE)."""
    return re.search(f"(?<!UN){QUOTABLE}", seen) is not None


def test_corrected_words_replace_the_old_ones_on_every_surface_and_keep_their_feedback(story):
    # given: feedback on what Fran wrote down, then Alex corrects it
    app, alex = story.app, story.app.actor_for("alex")
    feedback = app.give_feedback(story.issue, "We took it to the practice", [story.written], app.actor_for("sam"))
    app.correct_contribution(story.issue, story.written, CORRECTED, alex)
    for viewer in VIEWERS:
        # when
        seen = _everything_seen_by(story, viewer)
        # then: the corrected words, never the old ones; the history says a correction was made
        assert CORRECTED in seen and not _quotable_in(seen), viewer
        assert "corrected the words of a contribution" in seen, viewer
    written = next(c for c in story.api("sam", f"/api/v1/issues/{story.issue}")["contributions"]
                   if c["id"] == str(story.written))
    assert written["corrected"] and written["answered_by"] == [str(feedback)]
    # and the hub's public page, once published, quotes the corrected words only
    public = _published(story)
    assert CORRECTED in public and not _quotable_in(public)


def _published(story) -> str:
    """The hub's public page, its feed and its poster, as anyone reads them once the hub publishes."""
    story.app.publish_hub(story.hub, story.app.actor_for("sam"))
    anyone = story.flask_app.test_client()
    return "\n".join(anyone.get(f"/public/hubs/{story.hub}{path}").text for path in ("", "/feed.atom", "/poster"))


def test_consent_changed_later_holds_on_every_surface_the_history_included(story):
    # given: the words Fran wrote down may no longer be quoted, nor Alex named
    story.app.change_consent(story.issue, story.written, False, Attribution.ANONYMOUS, story.app.actor_for("alex"))
    for viewer in VIEWERS:
        seen = _everything_seen_by(story, viewer)
        assert _quotable_in(seen) == (viewer in READS_UNQUOTABLE | {"fran"}), viewer
        assert (SURNAME in seen) == (viewer in ("alex", "fran")), viewer
        assert ("Alex" in seen) == (viewer in ("alex", "fran")), viewer
    entries = story.api("jo", f"/api/v1/issues/{story.issue}/history")
    assert next(e for e in entries if e["kind"] == "ConsentChanged")["who"] == "an expert who asked not to be named"
    assert not _quotable_in(_published(story))  # the public page follows the change too


def test_someones_input_read_by_another_lists_only_what_they_gave_under_their_full_name(story):
    # given Alex also says something under his full name, beside his unnamed and first-name input
    app = story.app
    named = app.record_contribution(story.issue, story.ids["alex"], "NAMED-words-of-alex", app.actor_for("alex"),
                                    channel=Channel.ONLINE, may_quote=True, attribution=Attribution.NAME)
    for viewer in ("auditor", "admin"):
        # when an auditor or an admin reads what happened to Alex's input
        answer = story.flask_app.test_client().get(f"/api/v1/accounts/{story.ids['alex']}/input?page_size=100",
                                                   headers={"Authorization": f"Bearer {story.tokens[viewer]}"})
        # then only that input is listed as his, and counted: the rest would name him where he chose not to be
        assert answer.status_code == 200, answer.text
        assert [s["contribution_id"] for s in answer.json] == [str(named)], viewer
        assert json.loads(answer.headers["X-Pagination"])["total"] == 1, viewer
    # while Alex himself sees all four
    assert len(story.api("alex", "/api/v1/me/input?page_size=100")) == 4


def test_the_hand_over_sheet_ties_no_unnamed_input_to_its_contributor_at_any_door(story):
    # given Alex hears his news at the hub, and the manager answers his unnamed input alone
    app, hub = story.app, story.hub
    client = story.flask_app.test_client()
    chosen = client.put("/api/v1/me/contact", json={"ways": ["hub"], "topics": ["feedback"], "how_often": "each_time"},
                        headers={"Authorization": f"Bearer {story.tokens['alex']}"})
    assert chosen.status_code == 200, chosen.text
    feedback = "ANSWER-to-the-unnamed-input"
    app.give_feedback(story.issue, feedback, [story.own], app.actor_for("sam"))
    feedback_id = list(app.issue(story.issue).feedback)[-1]
    # when the facilitator reads the hand-over sheet at each door
    sheet = story.api("fran", f"/api/v1/hubs/{hub}/hand-over")
    OpenContext.shared = app
    printed = CliRunner().invoke(cli, ["hand-over", str(hub), "--as", "fran"], catch_exceptions=False).output
    seen = "\n".join([json.dumps(sheet), printed, *story.web("fran", f"/hubs/{hub}/hand-over")])
    # then that news is not on it at all: whose news it is, and when it came, would tie the input to Alex
    assert sheet == []
    for tie in ("Alex", feedback, str(feedback_id), str(story.ids["alex"])):
        assert tie not in seen, tie
    # and the message's own key cannot be tried either
    session = app.record_session(hub, app.actor_for("fran"), held_on=date(2024, 5, 9), place="Ely",
                                 format="drop-in", experts_attended=4, staff_attended=1)
    guessed = f"feedback:{feedback_id}:{story.ids['alex']}:hub"
    answer = client.post(f"/api/v1/hubs/{hub}/hand-overs", json={"session_id": str(session), "message_keys": [guessed]},
                         headers={"Authorization": f"Bearer {story.tokens['fran']}"})
    assert answer.status_code == 409, answer.text
    # while Alex reads it himself
    mine = story.api("alex", "/api/v1/me/input?page_size=100")
    assert any(fate["summary"] == feedback for story_ in mine for fate in story_["fates"])


def test_the_hand_over_sheet_says_what_news_is_about_when_the_input_was_given_by_name(story):
    app, hub = story.app, story.hub
    story.flask_app.test_client().put(
        "/api/v1/me/contact", json={"ways": ["hub"], "topics": ["feedback"], "how_often": "each_time"},
        headers={"Authorization": f"Bearer {story.tokens['alex']}"})
    issue = app.raise_issue(hub, "Bus passes", app.actor_for("sam"))
    named = app.record_contribution(issue, story.ids["alex"], "NAMED-words-of-alex", app.actor_for("alex"),
                                    channel=Channel.ONLINE, may_quote=True, attribution=Attribution.NAME)
    app.give_feedback(issue, "We asked the council.", [named], app.actor_for("sam"))
    sheet = story.api("fran", f"/api/v1/hubs/{hub}/hand-over")
    assert [(i["name"], i["kind"], i["issue_title"], i["what"]) for i in sheet] == [
        ("Alex Reid", "feedback", "Bus passes", "We asked the council.")]
