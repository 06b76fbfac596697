"""`estate accounts check` run: validate accounts/ and name every problem."""

from __future__ import annotations

import argparse
import sys

from estate.accounts import AccountsError, load_estate
from estate.cli.errors import EXIT_OK, EXIT_USAGE


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
