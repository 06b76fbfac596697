"""The S3 check registry: every module here is one check, found by walking the package.

A check module `<name>.py` defines a judge function `<name>` and `CHECK`, a
`BucketCheck` or `AccountCheck` with id `s3.<name>`. Adding a check is adding one
module: the collector's calls, the IAM actions and the README table all derive
from this registry (a meta test walks it and holds every entry to those rules).
Modules whose names start with `_` are helpers, not checks.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import Any

from estate_scanners.s3.check_model import AccountCheck, BucketCheck, CheckSpec
from estate_scanners.s3.facts import Fact


@cache
def all_checks() -> tuple[CheckSpec, ...]:
    """Every registered check, sorted by id."""
    found: list[CheckSpec] = []
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        check = getattr(module, "CHECK", None)
        if not isinstance(check, CheckSpec):
            raise TypeError(f"check module {module.__name__} defines no CHECK")
        found.append(check)
    return tuple(sorted(found, key=lambda check: check.check_id))


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
    """One row per check (id, title, severity, why, controls, remediation), for the README.

    `controls` lists the check's controls, a conditional one followed by its condition in
    parentheses (`SecurityHub:S3.10 (versioned)`); `conditional_controls` maps each
    conditional control to that condition, for readers that want the ids alone.
    """
    return [
        {
            "check_id": check.check_id,
            "title": check.title,
            "severity": check.severity,
            "why": check.severity_reason,
            "controls": [
                *check.controls,
                *(f"{control} ({when})" for control, when in check.conditional_controls),
            ],
            "conditional_controls": dict(check.conditional_controls),
            "resource_type": check.resource_type,
            "remediation": check.remediation.as_finding(),
        }
        for check in all_checks()
    ]
