"""How a scan is cut into units of work for the fleet's state machine, and what it leaves behind.

The state machine (``estate.programs.scanner_fleet.state_machine``) runs the planner twice:

- **plan**: the items of the fan-out. For S3, the account's buckets sorted by name and cut
  into shards of ``shard_size``; each item is a complete analyzer event with shard label
  ``0000``, ``0001``, … and only shard ``0000`` carries the account-level checks. For tags,
  one item per region, each a complete tag-checker event. The items are written as one JSON
  array to the reports bucket and the Distributed Map reads them from there: ten thousand
  bucket names (~350 KB) would not fit the 256 KB a Step Functions state may carry.
- **complete**: the scan manifest — which shards finished, which failed and why, and the
  parts the scan wrote — written beside the plan, under ``scans/``.

Plans and manifests live under ``scans/``, not ``findings/``: everything under ``findings/``
is a report part, read by the ingest notification and by the Glue table, and a JSON object
there would be quarantined by one and break the other.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from estate_runtime.events import (
    EventInvalid,
    ScanTarget,
    optional_int,
    require_mapping,
)

SCANNERS: Final = ("s3", "tags")
DEFAULT_SHARD_SIZE: Final = 250
MAX_SHARD_SIZE: Final = 1000
ACCOUNT_SHARD: Final = "0000"  # the shard that also runs the account-level checks
STATUS_DONE: Final = "done"
STATUS_FAILED: Final = "failed"


@dataclass(frozen=True)
class PlanItem:
    """One unit of work: a label for the manifest and the worker's whole event."""

    label: str
    event: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The item as the Distributed Map reads it."""
        return {"label": self.label, "event": self.event}


def cut_shards(names: Sequence[str], shard_size: int) -> list[tuple[str, ...]]:
    """Bucket names, sorted and deduplicated, in consecutive shards of at most ``shard_size``."""
    if shard_size < 1:
        raise ValueError("shard_size must be at least 1")
    ordered = sorted(set(names))
    return [tuple(ordered[i : i + shard_size]) for i in range(0, len(ordered), shard_size)]


def shard_label(index: int) -> str:
    """``0000``, ``0001``, …: fixed width so labels sort as numbers do."""
    return f"{index:04d}"


def target_fields(target: ScanTarget, required_tags: object) -> dict[str, Any]:
    """The fields every worker event of one scan shares; the rules pass through as the
    schedule gave them (each worker checks them, and absent means none for S3)."""
    fields: dict[str, Any] = {
        "scan_id": target.scan_id,
        "scan_started": target.scan_started.isoformat().replace("+00:00", "Z"),
    }
    if required_tags is not None:
        fields["required_tags"] = required_tags
    for name in ("account_id", "role_arn", "external_id"):
        value = getattr(target, name)
        if value is not None:
            fields[name] = value
    return fields


def s3_items(common: Mapping[str, Any], names: Sequence[str], shard_size: int) -> list[PlanItem]:
    """The analyzer's items: one per shard; an account without buckets still gets one item,
    a whole-account run, so its account-level checks are judged."""
    shards = cut_shards(names, shard_size)
    if not shards:
        return [
            PlanItem(
                ACCOUNT_SHARD, {**common, "shard": ACCOUNT_SHARD, "include_account_checks": True}
            )
        ]
    return [
        PlanItem(
            shard_label(index),
            {
                **common,
                "buckets": list(shard),
                "shard": shard_label(index),
                "include_account_checks": index == 0,
            },
        )
        for index, shard in enumerate(shards)
    ]


def tag_items(common: Mapping[str, Any], regions: Sequence[str]) -> list[PlanItem]:
    """The tag checker's items: one per region, labelled by the region.

    Each item gets a shard of its own: a completed tag-checker run removes the parts of its
    shard's regions that it did not cover (a rerun over fewer regions), so items sharing
    one shard would delete each other's parts.
    """
    return [
        PlanItem(region, {**common, "regions": [region], "shard": f"{index:04d}"})
        for index, region in enumerate(regions)
    ]


def read_shard_size(request: Mapping[str, Any]) -> int:
    """``shard_size`` from the scan request, within bounds (default ``DEFAULT_SHARD_SIZE``)."""
    size = optional_int(request, "shard_size", minimum=1, maximum=MAX_SHARD_SIZE)
    return DEFAULT_SHARD_SIZE if size is None else size


def read_scanner(body: Mapping[str, Any]) -> str:
    """The event's ``scanner``: ``s3`` or ``tags``."""
    scanner = body.get("scanner")
    if scanner not in SCANNERS:
        raise EventInvalid("scanner", f"{scanner!r} is not one of {list(SCANNERS)}")
    return str(scanner)


def scan_folder(scanner: str, account_id: str, scan_date: date) -> str:
    """Where a scan's plan and manifest lie: the findings partition's layout under ``scans/``."""
    return f"scans/scanner={scanner}/account={account_id}/dt={scan_date.isoformat()}/"


def plan_key(scanner: str, account_id: str, scan_date: date, scan_id: str) -> str:
    """The key of a scan's plan (its Distributed Map items)."""
    return f"{scan_folder(scanner, account_id, scan_date)}{scan_id}.plan.json"


def manifest_key(scanner: str, account_id: str, scan_date: date, scan_id: str) -> str:
    """The key of a scan's manifest (its completion record)."""
    return f"{scan_folder(scanner, account_id, scan_date)}{scan_id}.manifest.json"


@dataclass(frozen=True)
class ShardOutcome:
    """What the state machine recorded for one item: done, or failed with the error."""

    label: str
    status: str
    runs: int
    error: str | None = None
    cause: str | None = None


def read_outcomes(raw: object) -> list[ShardOutcome]:
    """The Map's results, each ``{label, status, runs, error?, cause?}``."""
    if not isinstance(raw, list):
        raise EventInvalid("shards", "expected the list of shard outcomes")
    outcomes = []
    for index, entry in enumerate(raw):
        item = require_mapping(entry, f"shards[{index}]")
        status = item.get("status")
        if status not in (STATUS_DONE, STATUS_FAILED):
            raise EventInvalid(f"shards[{index}].status", f"{status!r} is not done or failed")
        runs = optional_int(item, "runs", minimum=0, maximum=10_000) or 0
        outcomes.append(
            ShardOutcome(
                label=str(item.get("label")),
                status=str(status),
                runs=runs,
                error=_optional_text(item.get("error")),
                cause=_optional_text(item.get("cause")),
            )
        )
    return outcomes


def manifest(
    *,
    scanner: str,
    account_id: str,
    scan_id: str,
    scan_started: str,
    completed_at: str,
    outcomes: Sequence[ShardOutcome],
    parts: Sequence[str],
) -> dict[str, Any]:
    """The scan's completion record: ``complete`` only when every shard is done."""
    failed = [outcome for outcome in outcomes if outcome.status == STATUS_FAILED]
    return {
        "scan_id": scan_id,
        "scanner": scanner,
        "account_id": account_id,
        "scan_started": scan_started,
        "completed_at": completed_at,
        "status": "partial" if failed else "complete",
        "shards": {
            "total": len(outcomes),
            "done": len(outcomes) - len(failed),
            "failed": len(failed),
        },
        "runs": sum(outcome.runs for outcome in outcomes),
        "failed_shards": [
            {"label": o.label, "error": o.error, "cause": o.cause}
            for o in sorted(failed, key=_label)
        ],
        "parts": sorted(parts),
    }


def _label(outcome: ShardOutcome) -> str:
    return outcome.label


def _optional_text(value: object) -> str | None:
    # A caught Lambda error's cause is a JSON string of its payload; keep it bounded.
    return None if value is None else str(value)[:2048]
