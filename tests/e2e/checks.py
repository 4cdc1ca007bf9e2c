"""Checks on a whole store, shared by the tests that leave one behind them (load, crashes, restores)."""

from __future__ import annotations

from service.app.coproduce import Coproduce
from service.bootstrap import open_application
from tests.integration.test_projections import snapshot


def assert_verifies_and_rebuilds_alike(app: Coproduce) -> None:
    """The store's history verifies, and its read models are exactly what the log makes of them.

    Proves two things about a store that has been written to (under load, killed at random,
    restored from a dump): the audit check finds no problem (every stored event is in the hash
    chain as it was recorded, none is missing or out of order, every checkpoint is signed with
    the store's key, matches the chain and extends the one before it), and the read models as they
    were followed hold the same rows, neither more nor fewer nor different, as a rebuild of them
    from the whole log: no event was lost, applied twice or applied wrongly on the way. The
    views must have caught up before this is called. A rebuild leaves the audit chain as it is
    (its rows are evidence), so what is verified before it still stands after it."""
    assert app.audit.verify() == []
    followed = snapshot(app)
    app.projections.rebuild()
    assert snapshot(app) == followed


def assert_store_verifies_and_rebuilds_alike(store) -> None:
    """`assert_verifies_and_rebuilds_alike` on a store left behind by other processes, its views caught up first."""
    app = open_application(store, projections_inline=False)
    try:
        app.projections.catch_up()
        assert_verifies_and_rebuilds_alike(app)
    finally:
        app.close()
