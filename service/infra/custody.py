"""The operator's steps on the two halves of the custody of personal content: rotating the
key-encryption key while the service runs, retiring an older one once it wraps nothing, wrapping
the plain keys of a store from an earlier release, and saying which key-encryption key wraps how
many person keys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, inspect

from service.infra.keyring import KeyCustodyError, KeySource
from service.infra.keystore import NOT_UPGRADED, PLAIN, key_counts, rewrap, scrub_old_wrappings

PASSES = 5  # a rotation goes over the keys again while processes still wrap new ones with an older key


@dataclass(frozen=True)
class Holding:
    """One key-encryption key (or PLAIN), how many person keys it wraps, and whether this process has it."""

    kek_id: str
    keys: int
    held: bool
    newest: bool


@dataclass
class Custody:
    engine: Engine
    source: KeySource

    def close(self) -> None:
        self.engine.dispose()

    def status(self) -> list[Holding]:
        """Every key-encryption key of the key material, oldest first, then any the store names
        that it lacks (and keys still plain)."""
        holding = key_counts(self.engine)
        keks = list(self.source.refreshed().keks) if self.source.exists() else []
        known = [Holding(kek_id, holding.get(kek_id, (0, ""))[0], True, kek_id == keks[-1]) for kek_id in keks]
        return known + [Holding(kek_id, count, False, False)
                        for kek_id, (count, _) in holding.items() if kek_id not in keks]

    def rotate(self, batch: int, pause: float) -> tuple[str, int, bool]:
        """Re-wrap every person key with the newest key-encryption key, made now unless an earlier
        rotation (or a key added by hand) left keys to re-wrap. Returns (its id, keys re-wrapped,
        whether it was made now)."""
        with self.source.locked():
            holding = key_counts(self.engine)
            if PLAIN in holding:
                raise KeyCustodyError(NOT_UPGRADED)
            keyring = self.source.refreshed()
            made = set(holding) <= {keyring.newest}
            if made:
                keyring = self.source.add_newest()
            done = 0
            for _ in range(PASSES):
                done += sum(rewrap(self.engine, keyring, batch, pause))
                if set(key_counts(self.engine)) <= {keyring.newest}:
                    scrub_old_wrappings(self.engine)
                    return keyring.newest, done, made
            raise KeyCustodyError(f"person keys are still being made with an older key-encryption key: give every "
                                  f"process the key file holding {keyring.newest}, then run `coproduce keys rotate` "
                                  "again")

    def retire(self, kek_id: str) -> None:
        """Take an older key-encryption key out of the key file, once a rotation has re-wrapped
        every person key it wrapped. Refused for the newest, for one that still wraps a key, and
        for COPRODUCE_KEY (which only the operator can change)."""
        if not self.source.writable:
            raise KeyCustodyError("COPRODUCE_KEY cannot be changed by Coproduce: once `coproduce keys status` "
                                  f"shows that {kek_id} wraps 0 person keys, take it out of every process's "
                                  "COPRODUCE_KEY")
        with self.source.locked():
            keyring = self.source.refreshed()
            if kek_id not in keyring.keks:
                raise KeyCustodyError(f"{keyring.where} holds no key-encryption key {kek_id}")
            if kek_id == keyring.newest:
                raise KeyCustodyError(f"{kek_id} is the newest key-encryption key, which wraps new person keys: "
                                      "rotate to a new one first (`coproduce keys rotate`)")
            if wrapped := self._wrapped_by(kek_id):
                raise KeyCustodyError(f"{kek_id} still wraps {wrapped:,} person keys: re-wrap them first "
                                      "(`coproduce keys rotate`)")
            kept = self.source.without(kek_id)
            if wrapped := self._wrapped_by(kek_id):  # a process that had not seen the newer key made one
                self.source.rewrite(keyring)  # the key goes back in
                raise KeyCustodyError(f"{kek_id} was still wrapping new person keys ({wrapped:,}): give every "
                                      f"process the key file holding {kept.newest}, then run "
                                      "`coproduce keys rotate` and retire it again")

    def _wrapped_by(self, kek_id: str) -> int:
        return key_counts(self.engine).get(kek_id, (0, ""))[0]

    def wrap_plain_keys(self) -> int:
        """The upgrade from a release that stored person keys plain (after the schema's own upgrade,
        migration 0005): wrap them all (making the key file if there is none) and make the plain
        bytes go from the files. Returns how many were wrapped."""
        if not inspect(self.engine).has_table("person_keys"):
            return 0
        plain = key_counts(self.engine).get(PLAIN, (0, ""))[0]
        if not plain:
            return 0
        with self.source.locked():
            keyring = self.source.refreshed() if self.source.exists() else self.source.create()
            for _ in rewrap(self.engine, keyring):
                pass
        scrub_old_wrappings(self.engine)
        return plain
