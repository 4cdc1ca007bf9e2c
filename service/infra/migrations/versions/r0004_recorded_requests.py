"""A request's Idempotency-Key is recorded with its events, and each claim names its attempt.

`idempotency_recorded` gets a row in the same transaction as the events a keyed request saves;
`idempotency_keys.claim` says which attempt holds a key, so that a retry can take over the claim
of an attempt that died. Keys claimed before this release have no claim: they are answered, or
released, as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column("idempotency_keys", sa.Column("claim", sa.String(32)))
    op.create_table(
        "idempotency_recorded",
        sa.Column("owner", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("claim", sa.String(32), nullable=False),
        sa.Column("saved", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
