"""Hubs' lifecycle and sessions; accounts' roles and hubs."""

from datetime import date, datetime, timezone
from uuid import UUID, uuid4

import pytest

from domain import Account, Hub, HubLifecycle, NotFound, Role, RuleBroken, SessionFormat, Username
from domain.clock import Clock, keeping
from tests.builders import actor


def test_a_hub_moves_one_lifecycle_step_at_a_time():
    admin = actor(Role.ADMIN)
    hub = Hub.create("Wisbech", "Fenland", HubLifecycle.PRE_PLANNING, admin)
    hub.advance_lifecycle(HubLifecycle.PLANNING, admin)
    with pytest.raises(RuleBroken, match="cannot move to established"):
        hub.advance_lifecycle(HubLifecycle.ESTABLISHED, admin)
    hub.advance_lifecycle(HubLifecycle.ACTIVE, admin)
    assert hub.lifecycle == HubLifecycle.ACTIVE


def test_a_hub_records_the_day_it_started_and_a_correction_but_never_a_day_to_come():
    admin = actor(Role.ADMIN)
    hub = Hub.create("Peterborough", "Peterborough", HubLifecycle.ACTIVE, admin)
    assert hub.opened_on is None
    hub.record_opening(date(2023, 3, 1), admin)
    hub.record_opening(date(2023, 3, 6), admin)
    assert hub.opened_on == "2023-03-06"
    with keeping(Clock(now=lambda: datetime(2023, 3, 5, tzinfo=timezone.utc))):
        with pytest.raises(RuleBroken, match="opened_on cannot be in the future"):
            hub.record_opening(date(2023, 3, 6), admin)


def test_events_take_their_time_and_ids_from_the_clock_kept():
    ids = iter([UUID(int=1), UUID(int=2)])
    with keeping(Clock(now=lambda: datetime(2018, 5, 14, 10, tzinfo=timezone.utc), new_id=lambda: next(ids))):
        hub = Hub.create("Cambridge & South", "Cambridge", HubLifecycle.ESTABLISHED, actor(Role.ADMIN))
        session = hub.record_session(date(2018, 6, 12), "Cambridge", SessionFormat.MEETING, 14, 6, actor(Role.ADMIN))
    assert (hub.id, session) == (UUID(int=1), UUID(int=2))
    assert {event.timestamp.year for event in hub.collect_events()} == {2018}
    assert Hub.create("Ely", "Ely", HubLifecycle.ACTIVE, actor(Role.ADMIN)).created_on.year > 2018  # the wall clock again


def test_a_hub_records_its_sessions_and_finds_them_again():
    hub = Hub.create("East Cambs", "Ely", HubLifecycle.ACTIVE, actor(Role.ADMIN))
    session = hub.record_session(date(2023, 9, 26), "Ely", SessionFormat.MEETING, 2, 3, actor(Role.HUB_MANAGER))
    assert hub.session(session).experts_attended == 2
    with pytest.raises(NotFound):
        hub.session(uuid4())
    with pytest.raises(RuleBroken, match="negative"):
        hub.record_session(date(2023, 9, 26), "Ely", SessionFormat.MEETING, -1, 0, actor(Role.HUB_MANAGER))


def test_an_account_joins_hubs_once_and_changes_role():
    admin = actor(Role.ADMIN)
    account = Account.register(uuid4(), " Sam ", Role.EXPERT, "sealed-name", "sealed-contact", admin)
    hub_id = uuid4()
    account.join_hub(hub_id, admin)
    with pytest.raises(RuleBroken, match="already a member"):
        account.join_hub(hub_id, admin)
    account.assign_role(Role.HUB_MANAGER, admin)
    assert account.username == "sam" and account.as_actor().role == Role.HUB_MANAGER


def test_usernames_are_normalised_so_one_name_has_one_claim():
    assert Username.create_id("Sam") == Username.create_id(" sam ")
    with pytest.raises(RuleBroken, match="username must be"):
        Account.register(uuid4(), "sam smith", Role.EXPERT, "", "", actor(Role.ADMIN))


@pytest.mark.parametrize("look_alike", ["\u0430dmin", "\uff53\uff41\uff4d", "s\u0430m", "alex\u200b", "jo\u0301"],
                         ids=["Cyrillic a", "full-width", "Cyrillic inside", "zero-width space", "accent"])
def test_a_new_username_cannot_pass_for_another(look_alike):
    with pytest.raises(RuleBroken, match="username must be 1 to 64 letters a to z"):
        Account.register(uuid4(), look_alike, Role.EXPERT, "", "", actor(Role.ADMIN))
    assert Account.register(uuid4(), " Jo.Carter-2_ ", Role.EXPERT, "", "", actor(Role.ADMIN)).username == "jo.carter-2_"
