#!/usr/bin/env python3
"""Coproduce's tamper-evident history: the hash chain, signed checkpoints, and a verifier.

This file stands alone (the standard library, plus `cryptography` for Ed25519), so an
auditor can copy it and check an export without installing or trusting Coproduce:

    python3 auditchain.py coproduce-export.jsonl [--public-key KEY] [--trusted OLD_CHECKPOINT.json]

The chain: every stored event, in log order, is hashed over its stored bytes
(position, aggregate id, version, topic and the exact stored state, ciphertext included);
chain[n] = SHA-256(chain[n-1] || event_hash[n]), starting from 32 zero bytes. A
checkpoint signs (position, chain hash, the previous checkpoint's position and chain
hash, time) with Ed25519, so each checkpoint commits to all history before it.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import struct
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from uuid import UUID

GENESIS = bytes(32)
EXPORT_FORMAT = "coproduce-audit-export/1"


def _field(data: bytes) -> bytes:
    return struct.pack(">Q", len(data)) + data


def event_hash(position: int, originator_id: str | UUID, version: int, topic: str, state: bytes) -> bytes:
    """The hash of one stored event (fields length-prefixed, so none can bleed into another)."""
    parts = [b"coproduce-event-v1", str(position).encode(), UUID(str(originator_id)).hex.encode(),
             str(version).encode(), topic.encode(), stored_bytes(state)]
    return hashlib.sha256(b"".join(_field(p) for p in parts)).digest()


def next_chain(previous: bytes, this_event: bytes) -> bytes:
    return hashlib.sha256(previous + this_event).digest()


def checkpoint_message(position: int, chain_hash: str, previous_position: int, previous_hash: str,
                       taken_at: str) -> bytes:
    """The exact bytes a checkpoint's signature covers."""
    return json.dumps({"format": "coproduce-checkpoint/1", "position": position, "chain_hash": chain_hash,
                       "previous_position": previous_position, "previous_chain_hash": previous_hash,
                       "taken_at": taken_at}, sort_keys=True, separators=(",", ":")).encode()


def signature_ok(checkpoint: dict, public_key_b64: str) -> bool:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    message = checkpoint_message(checkpoint["position"], checkpoint["chain_hash"], checkpoint["previous_position"],
                                 checkpoint["previous_chain_hash"], checkpoint["taken_at"])
    try:
        key.verify(base64.b64decode(checkpoint["signature"]), message)
        return True
    except (InvalidSignature, ValueError):
        return False


@dataclass(frozen=True)
class Stored:
    """One event as the store holds it, and the chain row recorded for it (if any)."""

    position: int
    originator_id: str
    version: int
    topic: str
    state: bytes


def stored_bytes(value: object) -> bytes:
    """The stored state as the bytes it was recorded as. A store may be edited to hold another kind of
    value there (SQLite keeps text in a BLOB column: `cast(state as text)`, `replace(state, …)`): that
    is not what was recorded, so it is given bytes no recorded state has (a NUL, the kind's name, a NUL,
    then the value's text), and the event's hash no longer matches."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    text = value if isinstance(value, str) else repr(value)
    return b"\0" + type(value).__name__.encode() + b"\0" + text.encode("utf-8", "surrogatepass")


def out_of_order(events: Sequence[Stored]) -> str | None:
    """Where the events stop being in log order (an export with lines moved), if they do: the
    position that should come there. A log read from the store is always in order."""
    positions = [event.position for event in events]
    for found, expected in zip(positions, sorted(positions)):
        if found != expected:
            return (f"the log is out of order at position {expected}: events were reordered "
                    f"(position {found} comes where {expected} should)")
    return None


def walk(events: Iterable[Stored], chain_rows: dict[int, tuple[str, str]]) -> Iterator[tuple[int, str, str | None]]:
    """Recompute the chain; yields (position, recomputed chain hash hex, problem or None)."""
    chain, seen, previous = GENESIS, set(), 0
    for event in events:
        seen.add(event.position)
        recomputed = event_hash(event.position, event.originator_id, event.version, event.topic, event.state)
        chain = next_chain(chain, recomputed)
        stored = chain_rows.get(event.position)
        skipped = [p for p in chain_rows if previous < p < event.position]
        previous = event.position
        if skipped:
            problem = f"event at position {min(skipped)} is missing from the log (deleted)"
        elif stored is None:
            problem = f"event at position {event.position} is not in the hash chain (inserted, or not yet chained)"
        elif stored[0] != recomputed.hex():
            problem = f"event at position {event.position} was changed after it was recorded"
        elif stored[1] != chain.hex():
            problem = f"the chain breaks at position {event.position}: an event before it was removed or reordered"
        else:
            problem = None
        yield event.position, chain.hex(), problem
    missing = sorted(set(chain_rows) - seen)
    if missing:
        yield missing[0], chain.hex(), f"event at position {missing[0]} is missing from the log (deleted)"


def verify(events: Iterable[Stored], chain_rows: dict[int, tuple[str, str]], checkpoints: list[dict],
           public_key_b64: str | None, trusted: dict | None = None) -> list[str]:
    """Every problem found, first problem first; an empty list means the history verifies."""
    if isinstance(events, Sequence) and (disorder := out_of_order(events)):
        return [disorder]
    problems: list[str] = []
    heads: dict[int, str] = {}
    last = 0
    for position, chain_hex, problem in walk(events, chain_rows):
        heads[position] = chain_hex
        last = max(last, position)
        if problem:
            problems.append(problem)
            break
    if problems:
        return problems  # later checks would only repeat the same damage in other words
    for checkpoint in [*checkpoints, *([trusted] if trusted else [])]:
        problems += _check_point(checkpoint, heads, last, public_key_b64)
    return problems + _check_sequence(checkpoints)


def _check_point(checkpoint: dict, heads: dict[int, str], last: int, public_key_b64: str | None) -> list[str]:
    where = f"checkpoint at position {checkpoint['position']} ({checkpoint['taken_at']})"
    if public_key_b64 and not signature_ok(checkpoint, public_key_b64):
        return [f"{where} has a signature that does not match the public key"]
    if checkpoint["position"] > last:
        return [f"{where} covers events up to {checkpoint['position']}, but the log ends at {last}: "
                f"events were removed from the end"]
    if checkpoint["position"] and heads.get(checkpoint["position"]) != checkpoint["chain_hash"]:
        return [f"{where} does not match the history: events up to position {checkpoint['position']} "
                f"were rewritten (after position {checkpoint['previous_position']})"]
    return []


def _check_sequence(checkpoints: list[dict]) -> list[str]:
    """Each checkpoint must name the one before it, and the first the genesis: otherwise a
    checkpoint was deleted, or the history has forked."""
    ordered = sorted(checkpoints, key=lambda c: (c["position"], c["taken_at"]))
    if ordered and ordered[0]["previous_position"] != 0:
        first = ordered[0]
        return [f"the checkpoint at position {first['previous_position']} is missing (deleted): the checkpoint at "
                f"position {first['position']} extends it, and no checkpoint before that is left"]
    if ordered and ordered[0]["previous_chain_hash"] != GENESIS.hex():
        return [f"the checkpoint at position {ordered[0]['position']} does not start from the genesis: "
                "the history has forked"]
    for before, after in zip(ordered, ordered[1:]):
        if before["position"] < after["previous_position"] < after["position"]:
            return [f"the checkpoint at position {after['previous_position']} is missing (deleted): the checkpoint "
                    f"at position {after['position']} extends it, but the one before is at {before['position']}"]
        if (after["previous_position"], after["previous_chain_hash"]) != (before["position"], before["chain_hash"]):
            return [f"checkpoints at positions {before['position']} and {after['position']} do not extend "
                    f"each other: the history has forked"]
    return []


def unsigned(events: list[Stored], checkpoints: list[dict]) -> list[str]:
    """An export ends at a checkpoint it signed (`coproduce audit export`): without one that covers its
    last event, anyone who rewrote the events and worked the hashes out again would pass."""
    last = max((event.position for event in events), default=0)
    covered = max((checkpoint["position"] for checkpoint in checkpoints), default=0)
    if not checkpoints:
        return ["the export holds no signed checkpoint, so nothing ties its events to the signing key "
                "(an export always ends with one: were they taken out?)"]
    if covered < last:
        return [f"the last {sum(1 for event in events if event.position > covered)} events (after position "
                f"{covered}) are covered by no signed checkpoint (an export ends at one: were events added, "
                "or checkpoints taken out?)"]
    return []


def _one_of_each(pairs: list[tuple[str, object]]) -> dict:
    """A JSON object whose every name is given once: with two, readers could differ on which counts."""
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError(f"a line gives {sorted({n for n in names if names.count(n) > 1})} more than once")
    return dict(pairs)


def _whole_numbers(record: dict, *names: str) -> None:
    for name in names:
        if type(record.get(name)) is not int:
            raise ValueError(f"{name} must be a whole number, not {record.get(name)!r}")


def read_export(lines: Iterable[str]) -> tuple[dict, list[Stored], dict[int, tuple[str, str]], list[dict]]:
    header, events, chain_rows, checkpoints = {}, [], {}, []
    for line in lines:
        record = json.loads(line, object_pairs_hook=_one_of_each)
        kind = record.pop("type")
        if kind == "header":
            header = record
        elif kind == "event":
            _whole_numbers(record, "position", "version")
            UUID(str(record["originator_id"]))  # an id, or the export is malformed
            events.append(Stored(record["position"], record["originator_id"], record["version"], record["topic"],
                                 base64.b64decode(record["state"])))
            if record.get("event_hash"):
                chain_rows[record["position"]] = (record["event_hash"], record["chain_hash"])
        elif kind == "checkpoint":
            _whole_numbers(record, "position", "previous_position")
            for name in ("chain_hash", "previous_chain_hash", "taken_at", "signature"):
                if not isinstance(record.get(name), str):
                    raise ValueError(f"a checkpoint's {name} is missing")
            checkpoints.append(record)
    if header.get("format") != EXPORT_FORMAT:
        raise ValueError(f"not a Coproduce audit export (expected format {EXPORT_FORMAT})")
    return header, events, chain_rows, checkpoints


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a Coproduce audit export offline.")
    parser.add_argument("export", help="the .jsonl file written by `coproduce audit export`")
    parser.add_argument("--public-key", help="the signing key's public half (base64), obtained separately")
    parser.add_argument("--trusted", help="a checkpoint (JSON) you kept from earlier: the export must extend it")
    args = parser.parse_args(argv)
    try:
        with open(args.export, encoding="utf-8") as export:
            header, events, chain_rows, checkpoints = read_export(export)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"FAILED: cannot read {args.export} as a Coproduce export: {error}")
        return 1
    key = args.public_key or header.get("public_key")
    if not key:
        print("FAILED: no public key to check the checkpoints' signatures with (pass --public-key)")
        return 1
    if not args.public_key:
        print("note: using the public key inside the export; pass --public-key to check it against one you trust")
    trusted = None
    try:
        if args.trusted:
            with open(args.trusted, encoding="utf-8") as kept:
                trusted = json.load(kept, object_pairs_hook=_one_of_each)
        problems = verify(events, chain_rows, checkpoints, key, trusted) or unsigned(events, checkpoints)
    except (OSError, ValueError, KeyError, TypeError) as error:  # a key or a kept checkpoint that is not one
        print(f"FAILED: cannot check the export: {error!r}")
        return 1
    if problems:
        print("FAILED: " + problems[0])
        for problem in problems[1:]:
            print("  also: " + problem)
        return 1
    print(f"OK: {len(events)} events and {len(checkpoints)} checkpoints verify"
          + (f"; the export extends the trusted checkpoint at position {trusted['position']}" if trusted else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
