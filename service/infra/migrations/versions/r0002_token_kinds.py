"""Tokens have a kind (an API token or a web session) and a last use.

Stores that ran a release between the first one and this framework got both columns when a
server started; they are only added where missing. Web sign-ins made before tokens had a kind
were tokens labelled "web sign-in": they become web sessions, not API tokens.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    present = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("api_tokens")}
    if "kind" not in present:
        op.add_column("api_tokens", sa.Column("kind", sa.String(8), nullable=False, server_default="api"))
        tokens = sa.table("api_tokens", sa.column("kind"), sa.column("label"))
        op.execute(tokens.update().where(tokens.c.label == "web sign-in").values(kind="web"))
    if "last_used_at" not in present:
        op.add_column("api_tokens", sa.Column("last_used_at", sa.DateTime(timezone=True)))
