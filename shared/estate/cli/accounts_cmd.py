"""`estate accounts check`: its arguments only; `estate.cli.accounts_run` runs it."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `accounts check` to the parser."""
    accounts = subcommands.add_parser("accounts", help="work with the estate's account files")
    actions = accounts.add_subparsers(dest="accounts_command", required=True)
    check = actions.add_parser(
        "check", help="validate accounts/; exit 2 and name each problem if invalid"
    )
    check.add_argument(
        "--dir", type=Path, default=None, help="the accounts folder (default: this repository's)"
    )
    check.set_defaults(run="estate.cli.accounts_run:run_check")
