"""The S3 check registry: every module here is one check, found by walking the package.

A check module `<name>.py` defines a judge function `<name>` and `CHECK`, a
`BucketCheck` or `AccountCheck` with id `s3.<name>`. Adding a check is adding one
module: the collector's calls, the IAM actions and the README table all derive
from this registry (a meta test walks it and holds every entry to those rules).
Modules whose names start with `_` are helpers, not checks.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from estate_scanners.check_model import check_table, discover_checks
from estate_scanners.s3.check_model import AccountCheck, BucketCheck, FactCheck
from estate_scanners.s3.facts import Fact


@cache
def all_checks() -> tuple[FactCheck, ...]:
    """Every registered check, sorted by id."""
    return discover_checks(__name__, __path__, FactCheck)


def bucket_checks() -> tuple[BucketCheck, ...]:
    """Checks run once per bucket."""
    return tuple(check for check in all_checks() if isinstance(check, BucketCheck))


def account_checks() -> tuple[AccountCheck, ...]:
    """Checks run once per account."""
    return tuple(check for check in all_checks() if isinstance(check, AccountCheck))


def needed_facts() -> frozenset[Fact]:
    """The union of every check's needs: what the collector fetches."""
    return frozenset(fact for check in all_checks() for fact in check.needs)


def severity_table() -> list[dict[str, Any]]:
    """One row per check, for the README (`estate_scanners.check_model.check_table`)."""
    return check_table(all_checks())
