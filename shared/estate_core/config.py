"""The environment every core handler reads: names set by the core program, checked once."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Final

from estate_runtime.findings import SEVERITIES

FINDINGS_TABLE: Final = "FINDINGS_TABLE"
ESTATE_ACCOUNTS: Final = "ESTATE_ACCOUNTS"
QUARANTINE_PREFIX: Final = "QUARANTINE_PREFIX"
ALERT_TOPIC_ARN: Final = "ALERT_TOPIC_ARN"
TOKEN_KEY_ARN: Final = "TOKEN_KEY_ARN"  # noqa: S105 - a variable name, not a secret
SECURITY_HUB_PRODUCT_ARN: Final = "SECURITY_HUB_PRODUCT_ARN"
DEFAULT_QUARANTINE_PREFIX: Final = "quarantine/"
FINDINGS_PREFIX: Final = "findings/"
# Core's metrics, beside the scanners' (estate_runtime.metrics.NAMESPACE).
METRICS_NAMESPACE: Final = "Estate"
METRIC_FINDINGS_INGESTED: Final = "FindingsIngested"
METRIC_LINES_QUARANTINED: Final = "LinesQuarantined"
METRIC_PARTS_QUARANTINED: Final = "PartsQuarantined"
METRIC_STATE_CHANGES: Final = "FindingStateChanges"
# Messages handed back for later because the account's lease was busy or time ran short.
METRIC_MESSAGES_DEFERRED: Final = "MessagesDeferred"
METRIC_ALERTS_PUBLISHED: Final = "AlertsPublished"
METRIC_NEW_CRITICAL: Final = "NewCriticalFindings"
METRIC_SECURITY_HUB_IMPORTED: Final = "SecurityHubFindingsImported"
ALL_METRIC_NAMES: Final = frozenset(
    {
        METRIC_FINDINGS_INGESTED,
        METRIC_LINES_QUARANTINED,
        METRIC_PARTS_QUARANTINED,
        METRIC_STATE_CHANGES,
        METRIC_MESSAGES_DEFERRED,
        METRIC_ALERTS_PUBLISHED,
        METRIC_NEW_CRITICAL,
        METRIC_SECURITY_HUB_IMPORTED,
    }
)


class ConfigInvalid(ValueError):
    """A missing or malformed environment variable; the message names it and the fix."""


@dataclass(frozen=True)
class AccountInfo:
    """What core knows about an account of the estate: its name, stage and alert threshold."""

    account_id: str
    name: str
    stage: str
    min_severity: str = "HIGH"


def require_env(name: str) -> str:
    """A set, non-empty environment variable."""
    value = os.environ.get(name, "")
    if not value:
        raise ConfigInvalid(f"environment variable {name} is not set; the core program sets it")
    return value


def encode_accounts(accounts: Mapping[str, AccountInfo]) -> str:
    """The ``ESTATE_ACCOUNTS`` value for ``accounts`` (account id -> info), compact JSON."""
    return json.dumps(
        {
            account_id: {"name": info.name, "stage": info.stage, "min_severity": info.min_severity}
            for account_id, info in sorted(accounts.items())
        },
        separators=(",", ":"),
        sort_keys=True,
    )


@cache
def estate_accounts() -> Mapping[str, AccountInfo]:
    """The accounts of the estate, from ``ESTATE_ACCOUNTS`` (read once per process)."""
    return decode_accounts(require_env(ESTATE_ACCOUNTS))


def decode_accounts(text: str) -> dict[str, AccountInfo]:
    """Parse an ``ESTATE_ACCOUNTS`` value, refusing anything malformed by name."""
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise ConfigInvalid(f"{ESTATE_ACCOUNTS} is not JSON ({error})") from None
    if not isinstance(raw, dict):
        raise ConfigInvalid(f"{ESTATE_ACCOUNTS} must map account ids to objects")
    accounts: dict[str, AccountInfo] = {}
    for account_id, info in raw.items():
        if not isinstance(info, dict) or not {"name", "stage"} <= info.keys():
            raise ConfigInvalid(f"{ESTATE_ACCOUNTS}[{account_id}] needs name and stage")
        severity = info.get("min_severity", "HIGH")
        if severity not in SEVERITIES:
            raise ConfigInvalid(
                f"{ESTATE_ACCOUNTS}[{account_id}].min_severity {severity!r} is not one of {SEVERITIES}"
            )
        accounts[account_id] = AccountInfo(
            account_id, str(info["name"]), str(info["stage"]), severity
        )
    return accounts


def account_info(account_id: str) -> AccountInfo:
    """The known account, or a stand-in named by its id (a target outside the estate files)."""
    known = estate_accounts().get(account_id)
    return known if known is not None else AccountInfo(account_id, account_id, "unknown")
