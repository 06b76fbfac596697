"""Entry point of the `estate` command: wires the subcommands, turns user errors into one line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from estate.cli import accounts_cmd, plan_cmd, scan_cmd
from estate.cli.errors import EXIT_USAGE, UserError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="estate", description="multi-account AWS compliance platform"
    )
    subcommands = parser.add_subparsers(dest="command", required=True)
    accounts_cmd.register(subcommands)
    plan_cmd.register(subcommands)
    scan_cmd.register(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a user error prints `estate: <reason>` and exits non-zero."""
    arguments = build_parser().parse_args(argv)
    try:
        code: int = arguments.run(arguments)
    except UserError as error:
        print(f"estate: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("estate: interrupted", file=sys.stderr)
        return EXIT_USAGE
    return code


if __name__ == "__main__":
    sys.exit(main())
