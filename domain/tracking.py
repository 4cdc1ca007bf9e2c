"""Tracking codes: how someone without an account follows what happened to their input.

A code is 15 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V pairs to
confuse), read aloud and typed in three groups of five: about 73 bits of chance. Only its hash
is ever recorded, so a copy of the store reveals no code; a code typed in is compared by hash.
"""

from __future__ import annotations

import hashlib
import secrets
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.clock import TimedAggregate

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"  # 29 characters: no 0 O 1 I L U V
GROUPS, GROUP_SIZE = 3, 5
LENGTH = GROUPS * GROUP_SIZE


def new_code() -> str:
    """A fresh code, grouped for reading aloud, e.g. "KX7QP-42M9D-PDWTA"."""
    plain = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(plain[i:i + GROUP_SIZE] for i in range(0, LENGTH, GROUP_SIZE))


def normalised(typed: str) -> str | None:
    """The code as typed, in capitals without dashes or spaces; None if it cannot be a code."""
    plain = "".join(ch for ch in typed.upper() if ch not in "- \t")
    if len(plain) != LENGTH or any(ch not in ALPHABET for ch in plain):
        return None
    return plain


def code_hash(code: str) -> str:
    """The hash recorded for a code (any spelling of it: capitals or not, dashes or not)."""
    plain = normalised(code) or ""
    return hashlib.sha256(f"coproduce:tracking-code:{plain}".encode()).hexdigest()


class TrackingCode(TimedAggregate):
    """Ties one code's hash to the person it was given to; its id comes from the hash, so a code
    typed in finds it in one look-up. A reissued code is replaced on the person's account."""

    @staticmethod
    def create_id(code_hash: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"coproduce:tracking-code:{code_hash}")

    @event("Issued")
    def __init__(self, code_hash: str, account_id: UUID, actor: dict) -> None:
        self.code_hash = code_hash
        self.account_id = account_id
