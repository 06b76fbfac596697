"""The tag checker's check registry: every module here is one check, found by walking the package.

A check module `<name>.py` defines a judge function `<name>` and `CHECK`, an
`InstanceCheck` with id `ec2.<name>` — the same rules as the S3 analyzer's registry
(`estate_scanners.s3.checks`), through the same walker. Modules whose names start with
`_` are helpers, not checks.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from estate_scanners.check_model import check_table, discover_checks
from estate_scanners.tags.check_model import InstanceCheck


@cache
def all_checks() -> tuple[InstanceCheck, ...]:
    """Every registered check, sorted by id."""
    return discover_checks(__name__, __path__, InstanceCheck)


def severity_table() -> list[dict[str, Any]]:
    """One row per check, for the README (`estate_scanners.check_model.check_table`)."""
    return check_table(all_checks())
