"""Entry point of the `estate` command: wires the subcommands, turns user errors into one line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from estate.cli import accounts_cmd, changed_cmd, plan_cmd, report_cmd, scan_cmd
from estate.cli.errors import EXIT_USAGE, UserError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="estate", description="multi-account AWS compliance platform"
    )
    subcommands = parser.add_subparsers(dest="command", required=True)
    accounts_cmd.register(subcommands)
    changed_cmd.register(subcommands)
    plan_cmd.register(subcommands)
    scan_cmd.register(subcommands)
    report_cmd.register(subcommands)
    return parser


def _quiet_abandoned_event_loops(unraisable: Any) -> None:
    """Drop the noise of event loops a failed Pulumi program left to the garbage collector.

    When a program fails mid-registration, the Pulumi SDK's helper threads leave event loops
    that are collected at interpreter exit and complain about their closed selector. The
    failure itself has already been reported in one line; everything else is passed on.
    """
    owner = getattr(unraisable.object, "__qualname__", "")
    if owner == "BaseEventLoop.__del__" and unraisable.exc_type is ValueError:
        return
    _DEFAULT_UNRAISABLE_HOOK(unraisable)


_DEFAULT_UNRAISABLE_HOOK = sys.unraisablehook


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a user error prints `estate: <reason>` and exits non-zero."""
    sys.unraisablehook = _quiet_abandoned_event_loops
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
