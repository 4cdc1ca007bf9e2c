"""Snapshots of issues as MessagePack, decoded straight into the issue's own types.

An issue with thousands of events holds thousands of contributions. With the event
store's JSON transcoder, each of them passes through a Python `object_hook` on the way
back, which made loading a 10,000-event issue from its snapshot cost about a tenth of
replaying it. msgspec decodes the same state, typed by `IssueState`, in C.

Events keep the JSON transcoder (their stored bytes are what the audit chain hashes);
only snapshots, which can be dropped and taken again at any time, use this format.
Snapshots stored earlier as JSON are still read through the JSON transcoder, and those
taken of an earlier `SystemicIssue.class_version` in the form of that version, for the
aggregate's own upcaster to bring up to date.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, get_type_hints
from uuid import UUID

import msgspec
from eventsourcing.persistence import Transcoder
from eventsourcing.utils import get_topic

from domain import SystemicIssue
from domain.records import Action, Feedback, Finding, Framing, Learning, Selection, Stakeholder

MARK = b"\xc1cp3"  # 0xc1 is never the first byte of MessagePack, nor of JSON; then the format's version


class _IssueFields(TypedDict):
    _created_on: datetime
    _modified_on: datetime
    hub_id: UUID
    title: str
    raised_by: dict[str, str]
    _stage: str
    cycle: int
    parked_reason: str | None
    framing: Framing | None
    selection: Selection | None
    findings: dict[str, Finding]
    stakeholders: list[Stakeholder]
    actions: dict[str, Action]
    feedback: dict[str, Feedback]
    learnings: dict[str, Learning]
    outcome: str | None
    decisions: dict[str, str]
    ratings: dict[str, dict[str, str]]


class IssueStateV2(_IssueFields):
    """A `SystemicIssue` of class version 2, which did not know who wrote each piece of input down."""

    class_version: int
    contributors: dict[str, str]
    withdrawn: set[str]
    answered: set[str]


class IssueState(IssueStateV2):
    """Every attribute of a `SystemicIssue`: an issue holding any other is snapshotted as JSON."""

    written_down: set[str]
    unconfirmed: set[str]
    this_stage: set[str]


class IssueStateV1(_IssueFields):
    """A `SystemicIssue` of class version 1, which kept each contribution whole."""

    contributions: dict[str, dict[str, Any]]


class _Envelope(msgspec.Struct):
    timestamp: datetime
    topic: str
    state: msgspec.Raw


STATES: dict[str, type] = {get_topic(SystemicIssue): IssueState}
EARLIER: dict[bytes, dict[str, type]] = {b"\xc1cp1": {get_topic(SystemicIssue): IssueStateV1},
                                         b"\xc1cp2": {get_topic(SystemicIssue): IssueStateV2}}


class SnapshotTranscoder(Transcoder):
    """MessagePack for the aggregates in `STATES`; `fallback` (JSON) for any other, and for
    snapshots written before."""

    def __init__(self, fallback: Transcoder, states: dict[str, type] = STATES,
                 earlier: dict[bytes, dict[str, type]] = EARLIER):
        self.fallback = fallback
        self.fields = {topic: frozenset(get_type_hints(state)) for topic, state in states.items()}
        self.decoders = {mark: {topic: msgspec.msgpack.Decoder(state) for topic, state in shapes.items()}
                         for mark, shapes in {**earlier, MARK: states}.items()}
        self.envelope = msgspec.msgpack.Decoder(_Envelope)
        self.encoder = msgspec.msgpack.Encoder()

    def encode(self, obj: dict[str, Any]) -> bytes:
        if self.fields.get(obj.get("topic", "")) != set(obj.get("state", ())):
            return self.fallback.encode(obj)  # not declared (a new attribute would be lost): JSON keeps it all
        return MARK + self.encoder.encode(obj)

    def decode(self, data: bytes) -> dict[str, Any]:
        decoders = self.decoders.get(bytes(data[:len(MARK)]))
        if decoders is None:
            return self.fallback.decode(data)
        envelope = self.envelope.decode(memoryview(data)[len(MARK):])
        state = decoders[envelope.topic].decode(envelope.state)
        return {"timestamp": envelope.timestamp, "topic": envelope.topic, "state": state}
