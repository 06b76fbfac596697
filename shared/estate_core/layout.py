"""The findings table's layout: one item per (account, resource, check), and its indexes.

The program (estate.programs.core) declares the table from these names and the handlers
read and write by them, so the two cannot drift apart.

Indexes serve the API's queries with key conditions, never a Scan:

- ``by-account``: partition ``account_id``, sort ``rank_key``;
- ``by-state``: partition ``state``, sort ``rank_key``.

``rank_key`` is ``<severity rank>#<check_id>#<resource_id>`` with CRITICAL = 0, so
"this severity and up" is the key condition ``rank_key < "<rank + 1>"`` and results come
worst first.
"""

from __future__ import annotations

import hashlib
from typing import Final

from estate_runtime.findings import SEVERITIES

KEY: Final = "id"
ACCOUNT: Final = "account_id"
STATE: Final = "state"
RANK_KEY: Final = "rank_key"
INDEX_BY_ACCOUNT: Final = "by-account"
INDEX_BY_STATE: Final = "by-state"
# (index name, partition attribute, sort attribute)
INDEXES: Final[tuple[tuple[str, str, str], ...]] = (
    (INDEX_BY_ACCOUNT, ACCOUNT, RANK_KEY),
    (INDEX_BY_STATE, STATE, RANK_KEY),
)

# Lifecycle states. A FAIL first seen is NEW, seen again OPEN; FAIL -> PASS is RESOLVED,
# RESOLVED -> FAIL is REOPENED. PASSING: only ever passed; UNKNOWN: only ever ERROR.
NEW: Final = "new"
OPEN: Final = "open"
RESOLVED: Final = "resolved"
REOPENED: Final = "reopened"
PASSING: Final = "passing"
UNKNOWN: Final = "unknown"
STATES: Final[tuple[str, ...]] = (NEW, OPEN, REOPENED, RESOLVED, PASSING, UNKNOWN)
FAILING_STATES: Final = frozenset({NEW, OPEN, REOPENED})
# The transitions people hear about (alerts) and Security Hub learns of.
ALERTING_STATES: Final = frozenset({NEW, REOPENED})


def finding_id(account_id: str, resource_arn: str, check_id: str) -> str:
    """The item key of one (account, resource, check): 32 hex characters, URL-safe."""
    identity = f"{account_id}\n{resource_arn}\n{check_id}".encode()
    return hashlib.sha256(identity).hexdigest()[:32]


def severity_rank(severity: str) -> int:
    """0 for CRITICAL up to 4 for INFORMATIONAL."""
    return SEVERITIES.index(severity)


def rank_key(severity: str, check_id: str, resource_id: str) -> str:
    """The sort key of both indexes: worst first, then by check and resource."""
    return f"{severity_rank(severity)}#{check_id}#{resource_id}"


def rank_bound(severity: str) -> str:
    """Every rank_key of ``severity`` and worse sorts below this bound."""
    return str(severity_rank(severity) + 1)
