"""Teaches the event store's JSON transcoder our record types, for snapshots."""

from __future__ import annotations

import dataclasses
from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.hub import Session
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


def register_domain_records(transcoder: JSONTranscoder) -> None:
    for cls in (*RECORD_TYPES, Session):
        transcoder.register(dataclass_transcoding(cls))
