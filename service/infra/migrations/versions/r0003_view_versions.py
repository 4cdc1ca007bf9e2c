"""Each read model's position also says which version of the view made its rows.

Rows already there say none, so every view is rebuilt once, by this release's code; but for
the audit chain, whose rows are evidence and have kept one shape since the first release.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    op.add_column("projection_positions", sa.Column("version", sa.Integer))
    positions = sa.table("projection_positions", sa.column("view"), sa.column("version"))
    op.execute(positions.update().where(positions.c.view == "audit_chain").values(version=1))
