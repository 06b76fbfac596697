"""`estate plan`: its arguments only; `estate.cli.plan_run` runs it (and imports pulumi)."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `plan` to the parser."""
    plan = subcommands.add_parser(
        "plan", help="run every project program offline under Pulumi mocks"
    )
    plan.add_argument(
        "--account", action="append", default=None, help="only this account (repeatable)"
    )
    plan.add_argument(
        "--project", action="append", default=None, help="only this project (repeatable)"
    )
    plan.add_argument("--json", action="store_true", help="print every recorded resource as JSON")
    plan.add_argument(
        "--accounts-dir",
        type=Path,
        default=None,
        help="the accounts folder (default: this repository's)",
    )
    plan.set_defaults(run="estate.cli.plan_run:run")
