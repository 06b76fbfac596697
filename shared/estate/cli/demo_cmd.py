"""`estate demo`'s arguments (the run is estate.cli.demo_run: moto and the pipeline load only
when the demo runs, so `estate --help` stays fast)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Final

DEFAULT_BUCKETS: Final = 12
DEFAULT_INSTANCES: Final = 10
MAX_BUCKETS: Final = 500
MAX_INSTANCES: Final = 1000


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `demo` to the parser."""
    demo = subcommands.add_parser(
        "demo", help="run the whole platform on an embedded AWS emulator (no account, no Docker)"
    )
    demo.add_argument(
        "--buckets", type=int, default=DEFAULT_BUCKETS, help="data buckets per account"
    )
    demo.add_argument(
        "--instances", type=int, default=DEFAULT_INSTANCES, help="EC2 instances per account"
    )
    demo.add_argument(
        "--account",
        action="append",
        default=None,
        help="only this account (repeatable; default: every account of accounts/)",
    )
    demo.add_argument(
        "--keep", action="store_true", help="keep the emulator running on 127.0.0.1 afterwards"
    )
    demo.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder for the report parts and report.html (created if missing; default: a new "
        "temporary folder)",
    )
    demo.set_defaults(run="estate.cli.demo_run:run")
