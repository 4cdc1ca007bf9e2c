"""Key-encryption keys: the half of the custody of personal content that never enters the database.

Each person's key is stored wrapped by a key-encryption key (KEK), read from a key file
(COPRODUCE_KEY_FILE) or from the environment (COPRODUCE_KEY). A copy of the database opens
nothing without it; the key file holds no one's words.

Key material is a list of `<id>:<URL-safe base64 of 32 bytes>` entries, oldest first: one per
line in a file (`#` starts a comment), separated by spaces or commas in the variable. The last
one wraps new keys; the others are kept while a rotation re-wraps what they wrap
(docs/decisions/0004-key-encryption-keys.md).
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.infra.store import StoreConfigError

KEK_BYTES = 32  # AES-256
NONCE_BYTES = 12
FILE_HEADER = ("# Coproduce key-encryption keys, oldest first; the last one wraps new person keys.\n"
               "# Keep this file apart from the database and its backups (docs/operations.md).\n")


class KeyCustodyError(StoreConfigError):
    """The key-encryption keys are missing, malformed, or not the ones this store's keys are wrapped by."""


@dataclass(frozen=True)
class Keyring:
    """The key-encryption keys one process holds, by id, oldest first."""

    keks: dict[str, bytes]
    where: str  # for messages: "the key file …" or "COPRODUCE_KEY"

    @property
    def newest(self) -> str:
        return list(self.keks)[-1]

    def wrap(self, person_id: UUID, key: bytes) -> tuple[str, bytes]:
        """The person's key sealed by the newest KEK, bound to the person: (KEK id, nonce + ciphertext)."""
        nonce = os.urandom(NONCE_BYTES)
        return self.newest, nonce + AESGCM(self.keks[self.newest]).encrypt(nonce, key, person_id.bytes)

    def unwrap(self, person_id: UUID, kek_id: str, wrapped: bytes) -> bytes:
        if kek_id not in self.keks:
            raise KeyCustodyError(f"a person key is wrapped by key-encryption key {kek_id or '(none)'}, "
                                  f"which {self.where} does not hold")
        try:
            return AESGCM(self.keks[kek_id]).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], person_id.bytes)
        except InvalidTag:
            raise KeyCustodyError(f"key-encryption key {kek_id} in {self.where} does not open this store's "
                                  "person keys: it is not this store's key, or it was damaged") from None

    def entries(self) -> list[str]:
        return [f"{kek_id}:{base64.urlsafe_b64encode(key).decode()}" for kek_id, key in self.keks.items()]


def new_entry() -> str:
    """A fresh key-encryption key as one entry: a random id and 32 random bytes."""
    return f"{os.urandom(6).hex()}:{base64.urlsafe_b64encode(os.urandom(KEK_BYTES)).decode()}"


def parse(text: str, where: str) -> Keyring:
    """The keyring written in `text`; a clear refusal for anything else."""
    keks: dict[str, bytes] = {}
    words = " ".join(line.split("#", 1)[0] for line in text.splitlines()).replace(",", " ").split()
    for number, word in enumerate(words, 1):
        kek_id, _, encoded = word.partition(":")
        try:
            key = base64.urlsafe_b64decode(encoded.encode())
        except (binascii.Error, ValueError):
            key = b""
        if not kek_id or len(key) != KEK_BYTES:
            raise KeyCustodyError(f"{where}: entry {number} is not <id>:<base64 of {KEK_BYTES} bytes>")
        if kek_id in keks:
            raise KeyCustodyError(f"{where}: the id {kek_id} is given twice")
        keks[kek_id] = key
    if not keks:
        raise KeyCustodyError(f"{where} holds no key-encryption key")
    return Keyring(keks, where)


class KeySource:
    """Where a process finds its key-encryption keys: a file, re-read when another process (a
    rotation) changes it, or the COPRODUCE_KEY variable, fixed for the life of the process."""

    def __init__(self, path: Path | None = None, text: str | None = None):
        self.path, self.text = path, text
        self.where = f"the key file {path}" if path else "COPRODUCE_KEY"
        self._seen: tuple[int, int, int] | None = None
        self._keyring: Keyring | None = None

    @property
    def writable(self) -> bool:
        return self.path is not None

    def exists(self) -> bool:
        return self.path is None or self.path.exists()

    def keyring(self) -> Keyring:
        """The keys as last read (read now the first time)."""
        return self._keyring or self.refreshed()

    def refreshed(self) -> Keyring:
        """The keys as they are now: the file is read again if it changed since it was last read."""
        if self.path is None:
            self._keyring = self._keyring or parse(self.text or "", self.where)
            return self._keyring
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            raise KeyCustodyError(f"{self.where} is missing (COPRODUCE_KEY_FILE)") from None
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if self._keyring is None or seen != self._seen:
            self._keyring, self._seen = parse(self.path.read_text(), self.where), seen
        return self._keyring

    def create(self) -> Keyring:
        """Make the key file with one new key (mode 0600); if another process made it first, theirs."""
        self._write([new_entry()], replace=False)
        return self.refreshed()

    def add_newest(self) -> Keyring:
        """Add a new key-encryption key after the others, so that it wraps new keys from now on."""
        self._write([*self.refreshed().entries(), new_entry()], replace=True)
        return self.refreshed()

    def without(self, kek_id: str) -> Keyring:
        """Take one key-encryption key out of the file (the caller has checked it wraps nothing)."""
        keyring = self.refreshed()
        return self.rewrite(Keyring({each: key for each, key in keyring.keks.items() if each != kek_id}, self.where))

    def rewrite(self, keyring: Keyring) -> Keyring:
        """Write `keyring` as the whole file."""
        self._write(keyring.entries(), replace=True)
        return self.refreshed()

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the key file's lock (one rotation at a time), or refuse at once."""
        if self.path is None:
            yield
            return
        with open(f"{self.path}.lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise KeyCustodyError(f"another rotation holds {self.path}.lock: wait for it to finish") from None
            yield

    def _write(self, entries: list[str], replace: bool) -> None:
        """Write the whole file at once (a reader sees the old file or the new one, never half of one)."""
        if self.path is None:
            raise KeyCustodyError("COPRODUCE_KEY cannot be changed by Coproduce: add a new key-encryption key "
                                  "(`coproduce keys new`) last in COPRODUCE_KEY of every process, then rotate")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as out:
                out.write(FILE_HEADER + "".join(f"{entry}\n" for entry in entries))
                out.flush()
                os.fsync(out.fileno())
            if replace:
                os.replace(temporary, self.path)
            else:
                try:
                    os.link(temporary, self.path)
                except FileExistsError:
                    pass
        finally:
            Path(temporary).unlink(missing_ok=True)
