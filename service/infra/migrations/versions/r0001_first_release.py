"""Our own tables as the first release (a674215) made them: the baseline every later migration builds on.

Written out rather than taken from today's code, so that it stays what that release made.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "person_keys",
        sa.Column("person_id", sa.String(32), primary_key=True),
        sa.Column("key", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))
    op.create_table(
        "account_passwords",
        sa.Column("account_id", sa.String(32), primary_key=True),
        sa.Column("hash", sa.String(200), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False))
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False, unique=True),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("label", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)))
    op.create_index("ix_api_tokens_account_id", "api_tokens", ["account_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("owner", sa.String(64), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("body", sa.LargeBinary),
        sa.Column("content_type", sa.String(100)),
        sa.Column("etag", sa.String(40)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("chain_hash", sa.String(64), nullable=False),
        sa.Column("previous_position", sa.BigInteger, nullable=False),
        sa.Column("previous_chain_hash", sa.String(64), nullable=False),
        sa.Column("taken_at", sa.String(40), nullable=False),
        sa.Column("signature", sa.String(100), nullable=False),
        sa.UniqueConstraint("previous_position", name="one_checkpoint_extends_each"))
    op.create_table(
        "projection_positions",
        sa.Column("view", sa.String(40), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False))
