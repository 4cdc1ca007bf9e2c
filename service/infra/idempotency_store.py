"""The table that remembers answers to POSTs sent with an Idempotency-Key.

Kept apart from the HTTP code because forgetting a person clears it. Answers are kept
without anyone's words (see service.http.idempotency): `body` holds a JSON record of the
answer, marked by `content_type` = `STORED_ANSWER`; `key` holds a digest of the key sent.
"""

from sqlalchemy import Column, DateTime, Integer, LargeBinary, MetaData, String, Table

STORED_ANSWER = "application/vnd.coproduce.stored-answer+json"

metadata = MetaData()
idempotency_keys = Table(
    "idempotency_keys", metadata,
    Column("owner", String(64), primary_key=True),
    Column("key", String(200), primary_key=True),  # a SHA-256 digest of the Idempotency-Key
    Column("fingerprint", String(64), nullable=False),
    Column("status", Integer),
    Column("body", LargeBinary),
    Column("content_type", String(100)),
    Column("etag", String(40)),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
