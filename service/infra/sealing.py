"""Seals personal content with its owner's key before it goes into an event.

A sealed value is text: `sealed.v1.<person id hex>.<base64 of nonce + AES-GCM ciphertext>`.
The person id is bound into the ciphertext, so a value cannot be moved to someone else.
"""

from __future__ import annotations

import base64
import os
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.app.ports import Keys, SealBroken

PREFIX = "sealed.v1."
NONCE_BYTES = 12


class Sealer:
    """Seals and opens personal content with per-person keys."""

    def __init__(self, keys: Keys):
        self.keys = keys

    def seal(self, person_id: UUID, text: str) -> str:
        if not text:
            return ""
        nonce = os.urandom(NONCE_BYTES)
        key = self.keys.key_for_writing(person_id)
        ciphertext = AESGCM(key).encrypt(nonce, text.encode("utf-8"), person_id.bytes)
        return f"{PREFIX}{person_id.hex}.{base64.urlsafe_b64encode(nonce + ciphertext).decode()}"

    def open(self, sealed: str) -> str | None:
        """The plain text, or None once its owner has been forgotten."""
        if not sealed:
            return ""
        person_id, blob = parse(sealed)
        key = self.keys.key_for(person_id)
        if key is None:
            return None
        try:
            return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], person_id.bytes).decode("utf-8")
        except (InvalidTag, ValueError) as error:
            raise SealBroken("sealed content does not match its owner's key") from error


def parse(sealed: str) -> tuple[UUID, bytes]:
    """The owner and the encrypted bytes of a sealed value."""
    if not sealed.startswith(PREFIX):
        raise SealBroken("not a sealed value")
    try:
        person_hex, encoded = sealed[len(PREFIX):].split(".", 1)
        return UUID(hex=person_hex), base64.urlsafe_b64decode(encoded)
    except ValueError as error:
        raise SealBroken("sealed value is malformed") from error
