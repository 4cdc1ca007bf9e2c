"""Teaches the event store's JSON transcoder our record types, for snapshots."""

from __future__ import annotations

import dataclasses
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.hub import Session
from domain.priorities import NotedSelection, Ranked, Tally
from domain.records import RECORD_TYPES


def dataclass_transcoding(cls: type) -> Transcoding:
    """A transcoding that stores a dataclass as a dict of its fields (one level deep)."""

    class DataclassAsDict(Transcoding):
        type = cls
        name = cls.__name__.lower()

        def encode(self, obj: Any) -> dict[str, Any]:
            return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}

        def decode(self, data: dict[str, Any]) -> Any:
            return cls(**data)

    return DataclassAsDict()


class SetAsList(Transcoding):
    type = set
    name = "set"

    def encode(self, obj: set) -> list:
        return sorted(obj)

    def decode(self, data: list) -> set:
        return set(data)


class EarlierContribution(Transcoding):
    """A contribution inside a JSON snapshot of an issue of class version 1, read back as
    the dict `SystemicIssue.upcast_v1_v2` expects. Nothing is written this way any more."""

    type = type("EarlierContribution", (), {})
    name = "contribution"

    def encode(self, obj: Any) -> dict[str, Any]:
        raise TypeError("contributions are no longer kept whole in an issue")

    def decode(self, data: dict[str, Any]) -> dict[str, Any]:
        return data


def register_domain_records(transcoder: JSONTranscoder) -> None:
    for cls in (*RECORD_TYPES, Session, Tally, Ranked, NotedSelection):
        transcoder.register(dataclass_transcoding(cls))
    transcoder.register(SetAsList())
    transcoder.register(EarlierContribution())
