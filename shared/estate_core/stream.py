"""Reading the findings table's stream: the records whose lifecycle state moved."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from estate_core import layout
from estate_core.store import from_dynamodb


@dataclass(frozen=True)
class Transition:
    """One item whose state changed: the stream record's sequence number and both images."""

    sequence_number: str
    item: Mapping[str, Any]
    previous_state: str | None

    @property
    def state(self) -> str:
        """The state the item moved to."""
        return str(self.item[layout.STATE])


def transitions(records: Iterable[Mapping[str, Any]]) -> Iterator[Transition]:
    """Inserts and modifications whose new state differs from the old one."""
    for record in records:
        if record.get("eventName") not in {"INSERT", "MODIFY"}:
            continue
        data = record.get("dynamodb", {})
        new_image = data.get("NewImage")
        if not new_image:
            continue
        item = from_dynamodb(new_image)
        if layout.STATE not in item:
            continue  # not a finding (the ingest lease item), should a filter let it through
        old_image = data.get("OldImage")
        old = from_dynamodb(old_image) if old_image else {}
        previous = str(old[layout.STATE]) if layout.STATE in old else None
        if previous != item[layout.STATE]:
            yield Transition(str(data.get("SequenceNumber", "")), item, previous)


def stream_records(event: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The records of a DynamoDB stream event."""
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list):
        raise ValueError("the event has no Records list; is this a DynamoDB stream batch?")
    return records
