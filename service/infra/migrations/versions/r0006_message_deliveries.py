"""`message_deliveries`: each message's delivery as it happens (service/infra/outbox.py)."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    op.create_table(
        "message_deliveries",
        sa.Column("message_key", sa.String(200), primary_key=True),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("way", sa.String(10), nullable=False),
        sa.Column("about", sa.JSON, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("owner", sa.String(40), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("next_try_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded", sa.Boolean, nullable=False, server_default="0"),
        sa.Column("settled_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_message_deliveries_person_id", "message_deliveries", ["person_id"])
    op.create_index("ix_message_deliveries_state", "message_deliveries", ["state"])
