"""Someone new: input from a person without an account, the tracking code on their receipt, and
following what happened to it with that code alone (no sign-in).

Codes are kept only as hashes (domain/tracking.py). A code that does not exist, was replaced by
a new one, or belongs to a person who was forgotten is refused with the same words.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from uuid import UUID

from domain import Account, Actor, Attribution, Channel, NotFound, Role, RuleBroken, SystemicIssue, Username
from domain.account import check_password_rule
from domain.clock import new_id
from domain.tracking import TrackingCode, code_hash, new_code, normalised
from projections import my_input
from service.app import disclosure
from service.app.application import CoproduceBase
from service.app.authorization import Permission as P, Target, Who
from service.app.people_queries import Person
from service.app.queries import InputPage

NO_NAME = "someone new who gave no name"  # the name kept for whoever gave none (never shown to others)
TRACKED_STORIES = 50  # a tracking code's page shows this many pieces of input, newest first


class CodeNotFound(NotFound):
    """One refusal for every code that does not lead to someone's input."""

    def __init__(self) -> None:
        super().__init__("We could not find that code")


@dataclass(frozen=True)
class Welcome:
    """What recording input from someone new gives back: their account, the input and their code
    (the only time the code exists outside the person's hands)."""

    account_id: UUID
    contribution_id: UUID
    code: str


@dataclass(frozen=True)
class Tracked:
    """What a tracking code shows: the person's input as they may see it, and their hub."""

    account_id: UUID
    hub_name: str
    page: InputPage
    summaries: dict[str, str]  # each issue's summary in plain words, by issue id (blank if it has none)


class Newcomers(CoproduceBase):
    """Input from people without an account, their receipts' codes, and following it by code (with the
    account commands and read queries of `Coproduce`)."""

    def record_from_someone_new(self, issue_id: UUID, name: str, text: str, actor: Actor, *, channel: Channel,
                                may_quote: bool, attribution: Attribution, session_id: UUID) -> Welcome:
        """Make a contributor for someone new (their own key, so they can be forgotten like anyone), record
        their input and give them a tracking code, all in one save. Whoever gives no name is never named."""
        issue = self.readable_issue(issue_id, actor)
        acting = self.authorize(actor, P.WELCOME, Target(issue.hub_id))
        self.hub(issue.hub_id).session(session_id)
        if not text.strip():
            raise RuleBroken("text is required")
        account_id, name = new_id(), name.strip()
        account = Account.welcome(account_id, issue.hub_id, self.sealed(account_id, name or NO_NAME, "name"), acting)
        code = new_code()
        claim = self._give_code(account, code, acting)
        contribution_id = issue.record_contribution(
            account_id, self.sealed(account_id, text, "text"), acting, Channel(channel), may_quote,
            Attribution(attribution) if name else Attribution.ANONYMOUS, session_id)
        self._save(account, claim, issue)
        return Welcome(account_id, contribution_id, code)

    def _give_code(self, account: Account, code: str, acting: Actor) -> TrackingCode:
        digest = code_hash(code)
        account.give_tracking_code(digest, acting)
        return TrackingCode(code_hash=digest, account_id=account.id, actor=acting.as_dict())

    def someone_new(self, account_id: UUID, actor: Actor) -> Account:
        """A person welcomed without an account, for the staff of one of their hubs to act for them."""
        account = self.account(account_id)
        if not account.newcomer or not account.hub_ids:
            raise NotFound(f"no one new with id {account_id}")
        self.authorize(actor, P.READ, Target(UUID(account.hub_ids[0])), hidden=f"no one new with id {account_id}")
        self.authorize(actor, P.WELCOME, Target(UUID(account.hub_ids[0])))
        return account

    def people_new_to(self, hub_id: UUID, actor: Actor) -> list[Person]:
        """The people of a hub who have no account of their own yet (its facilitators and managers), by
        name only: staff met them, but which issues their input is on is not listed beside their name
        (input given with no name would be tied to them; see `receipt`)."""
        self.readable_hub(hub_id, actor, P.WELCOME)
        return [p for p in self.hub_experts(hub_id, actor) if self.account(p.id).newcomer]

    def receipt(self, code: str, actor: Actor) -> Tracked:
        """What a receipt printed by `actor` shows, from its code: the hub, and the input of the person
        holding it that `actor` wrote down themselves (with its words, if the person keeps a copy).

        A receipt is printed by staff, in front of the person, so the staff see it too. The facilitator
        who wrote the input down heard it from the person and sees their full name beside it anyway
        (the disclosure rule), so a receipt made at the session lists all of it. Anyone else giving a
        new code for a lost receipt (another facilitator, a hub manager) would otherwise see, beside the
        name of the person in front of them, which issues their input is on, given with no name
        included: their receipt lists none of it. It still does the one thing a lost receipt must,
        give back a working code; the person reads what happened to their input with that code."""
        tracked = self.tracked(code)
        viewer = self.who(actor)
        with self.read_models().connect() as conn:
            given = {row["contribution"].contribution_id: row["contribution"]
                     for row in my_input.of_contributor(conn, tracked.account_id, 0, TRACKED_STORIES)}
        shown = [story for story in tracked.page.stories
                 if (c := given.get(story["contribution_id"])) is not None and disclosure.relation(
                     viewer, disclosure.Input(c.hub_id, c.contributor_id, c.entered_by, c.may_quote, c.attribution))
                 is disclosure.Relation.WROTE_IT_DOWN]
        page = InputPage(shown, len(shown), sum(1 for story in shown if story["awaiting_feedback"]))
        return Tracked(tracked.account_id, tracked.hub_name, page,
                       {key: words for key, words in tracked.summaries.items()
                        if key in {str(story["issue_id"]) for story in shown}})

    def reissue_code(self, account_id: UUID, actor: Actor) -> str:
        """A new tracking code for someone new (a lost receipt): the code they had stops working. Its
        receipt is made by `receipt`, which lists only the input the staff member giving it wrote down."""
        account = self.someone_new(account_id, actor)
        acting = self.authorize(actor, P.WELCOME, Target(UUID(account.hub_ids[0])))
        code = new_code()
        claim = self._give_code(account, code, acting)
        self._save(account, claim, conflict="the code was just reissued by someone else: try again")
        return code

    def link_to_full_account(self, account_id: UUID, username: str, password: str, agreed: bool,
                             actor: Actor) -> None:
        """With the person's word, give someone new a username and password of their own: their input,
        choices and code stay theirs."""
        account = self.someone_new(account_id, actor)
        acting = self.authorize(actor, P.WELCOME, Target(UUID(account.hub_ids[0])))
        if not agreed:
            raise RuleBroken("the person must agree before their input is linked to a full account")
        check_password_rule(password)
        account.link_to_full_account(username, acting)
        claim = Username(username=account.username, account_id=account.id, actor=acting.as_dict())
        self.credentials.set_password(account.id, password)
        self._save(account, claim, conflict=f"the username {account.username!r} is already taken")

    def holder_of(self, code: str) -> Account:
        """The person a tracking code was given to, if it is still theirs: compared by hash, in constant time."""
        digest = code_hash(code) if normalised(code) else ""
        if not digest:
            raise CodeNotFound()
        try:
            claim = self._cached(TrackingCode, TrackingCode.create_id(digest), "code")
            account = self._cached(Account, claim.account_id, "account")
        except NotFound:
            raise CodeNotFound() from None
        if account.forgotten or not hmac.compare_digest(account.tracking_code_hash or "", digest):
            raise CodeNotFound()
        return account

    def holder_acting(self, code: str) -> Actor:
        """The holder of `code`, acting on their own input (confirming or correcting what was written down
        for them): the code stands for them as a sign-in does, and the same rules decide."""
        return self.holder_of(code).as_actor()

    def tracked(self, code: str) -> Tracked:
        """What happened to the input of the person holding `code`, as they would see it signed in."""
        account = self.holder_of(code)
        viewer = Who(account.id, Role.EXPERT, frozenset(account.hub_ids))
        hub = self.hub(UUID(account.hub_ids[0]))
        page = self.input_page_of(account.id, viewer, 0, TRACKED_STORIES)
        summaries = {str(s["issue_id"]): self._cached(SystemicIssue, s["issue_id"], "issue").plain_summary
                     for s in page.stories}
        return Tracked(account.id, hub.name, page, summaries)

