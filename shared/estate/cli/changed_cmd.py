"""`estate changed`: the stacks a diff affects, in deploy order, as JSON for the workflows."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from estate.cli.errors import EXIT_OK, UserError


def register(subcommands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `changed` to the parser."""
    changed = subcommands.add_parser(
        "changed", help="print the stacks a git diff affects, in deploy order (JSON)"
    )
    which = changed.add_mutually_exclusive_group(required=True)
    which.add_argument("--base", help="the ref the change starts from")
    which.add_argument(
        "--all", action="store_true", help="every stack, whatever changed (the drift check)"
    )
    changed.add_argument("--head", default="HEAD", help="the ref the change ends at (HEAD)")
    changed.add_argument(
        "--repo", type=Path, default=Path(), help="the repository's root (default: .)"
    )
    changed.add_argument(
        "--accounts-dir",
        type=Path,
        default=None,
        help="the accounts folder (default: REPO/accounts)",
    )
    changed.add_argument(
        "--deployable",
        action="store_true",
        help="leave out the projects only an administrator applies (org-iam, estate-deployments)",
    )
    changed.add_argument(
        "--by-account",
        action="store_true",
        help="print {account: [stacks]} with every account present, for per-environment jobs",
    )
    changed.set_defaults(run=run)


def run(arguments: argparse.Namespace) -> int:
    """Diff, map paths to stacks, print JSON; a git or accounts problem is one line, exit 2."""
    from estate.accounts import AccountsError, load_estate  # noqa: PLC0415 - lazy: fast start
    from estate.changed import (  # noqa: PLC0415
        ADMIN_APPLIED,
        ChangedError,
        affected_stacks,
        by_account,
        changed_paths,
        every_stack,
        json_list,
    )

    repository: Path = arguments.repo
    try:
        estate = load_estate(arguments.accounts_dir or repository / "accounts")
        if arguments.all:
            stacks = every_stack(estate, root=repository)
        else:
            paths = changed_paths(repository, arguments.base, arguments.head)
            stacks = affected_stacks(paths, estate, root=repository)
    except AccountsError as error:
        raise UserError(f"accounts: {error}") from None
    except ChangedError as error:
        raise UserError(str(error)) from None
    if arguments.deployable:
        stacks = [s for s in stacks if s.project not in ADMIN_APPLIED]
    document: object = by_account(stacks, estate) if arguments.by_account else json_list(stacks)
    json.dump(document, sys.stdout, separators=(",", ":"))
    print()
    return EXIT_OK
