"""Times in read models are UTC; SQLite hands them back without their offset."""

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: datetime | None) -> datetime | None:
    """`moment` with its UTC offset restored (None stays None)."""
    return moment.replace(tzinfo=timezone.utc) if moment and moment.tzinfo is None else moment
