"""The hash chain over the event log, one row per stored event, kept like any read model.

It hashes the stored bytes of each notification (see projections/auditchain.py), in log
order, and commits each row with the chain's position in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, Connection, String, Table, select

from projections.auditchain import GENESIS, event_hash, next_chain
from projections.unit_of_work import UnitOfWork
from projections.view import View

view = View("audit_chain", raw=True, keep=True)
links = Table(
    "audit_chain", view.metadata,
    Column("position", BigInteger, primary_key=True),
    Column("event_hash", String(64), nullable=False),
    Column("chain_hash", String(64), nullable=False),
)


LAST = select(links).order_by(links.c.position.desc()).limit(1)


def head(conn: Connection) -> tuple[int, str]:
    """The last chained position and its chain hash (0 and the genesis hash when empty)."""
    row = conn.execute(LAST).first()
    return (row.position, row.chain_hash) if row else (0, GENESIS.hex())


@view.on("*")
def link(work: UnitOfWork, stored: Any, position: int) -> None:
    _, previous = work.remember(links, head)  # the head moves in memory while the batch runs
    this = event_hash(position, stored.originator_id, stored.originator_version, stored.topic, stored.state)
    chained = next_chain(bytes.fromhex(previous), this).hex()
    work.insert(links, {"position": position, "event_hash": this.hex(), "chain_hash": chained})
    work.notes[links] = (position, chained)


def rows(conn: Connection) -> dict[int, tuple[str, str]]:
    return {r.position: (r.event_hash, r.chain_hash) for r in conn.execute(select(links))}
