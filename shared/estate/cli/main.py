"""Entry point of the `estate` command: wires the subcommands, turns user errors into one line.

Start-up stays fast because nothing heavy is imported to build the parser: each `*_cmd`
module only declares its arguments, and names the function that runs it as
``"module:function"``, imported when that command runs (`estate scan` and `estate accounts`
never import pulumi). A command may also set a plain callable as ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, cast

from estate.cli import accounts_cmd, changed_cmd, demo_cmd, plan_cmd, report_cmd, scan_cmd
from estate.cli.errors import EXIT_USAGE, UserError


class OneLineParser(argparse.ArgumentParser):
    """argparse's usage errors as one line naming the argument, exit 2 (not usage + error)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"estate: {self.prog}: {message}; see {self.prog} --help\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = OneLineParser(prog="estate", description="multi-account AWS compliance platform")
    # Subparsers are OneLineParsers too (argparse builds them with the parent's class).
    subcommands = cast(
        "argparse._SubParsersAction[argparse.ArgumentParser]",
        parser.add_subparsers(dest="command", required=True),
    )
    accounts_cmd.register(subcommands)
    changed_cmd.register(subcommands)
    plan_cmd.register(subcommands)
    demo_cmd.register(subcommands)
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


def resolve(run: str | Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """The command's function: ``"package.module:function"`` is imported now."""
    if not isinstance(run, str):
        return run
    module, _, name = run.partition(":")
    function: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(module), name)
    return function


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; a user error prints `estate: <reason>` and exits non-zero."""
    sys.unraisablehook = _quiet_abandoned_event_loops
    arguments = build_parser().parse_args(argv)
    try:
        code: int = resolve(arguments.run)(arguments)
    except UserError as error:
        print(f"estate: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("estate: interrupted", file=sys.stderr)
        return EXIT_USAGE
    return code


if __name__ == "__main__":
    sys.exit(main())
