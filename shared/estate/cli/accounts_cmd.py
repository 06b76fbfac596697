"""`estate accounts check`: validate accounts/ and name every problem."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from estate.accounts import AccountsError, load_estate
from estate.cli.errors import EXIT_OK, EXIT_USAGE


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
    check.set_defaults(run=run_check)


def run_check(arguments: argparse.Namespace) -> int:
    """Validate the folder; print one line per problem to stderr."""
    try:
        estate = load_estate(arguments.dir)
    except AccountsError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(
            f"accounts check: {len(error.problems)} problem(s); nothing was used", file=sys.stderr
        )
        return EXIT_USAGE
    names = ", ".join(f"{a.name} ({a.account_id})" for a in estate)
    print(f"accounts check: ok — organization {estate.organization.name}, accounts {names}")
    return EXIT_OK
