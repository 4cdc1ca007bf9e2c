"""Person keys are stored wrapped by a key-encryption key kept outside the database.

`person_keys.wrapped_by` names the key-encryption key that wraps each key; keys already there
say '' (plain) until `coproduce init` (or `upgrade`) wraps them, which needs the key file and
so is not done here (service/infra/custody.py, `Custody.wrap_plain_keys`).
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("person_keys", sa.Column("wrapped_by", sa.String(40), nullable=False, server_default=""))
