"""`estate plan` run: every project program for every account, offline, under mocks."""

from __future__ import annotations

import argparse
import json
import sys
import time

from estate.accounts import AccountsError, load_estate
from estate.cli.errors import EXIT_OK, UserError
from estate.contracts import CONTRACTS, ContractError, check_contracts
from estate.plan.checks import check_stack
from estate.plan.runner import ProgramError, StackRun, run_plan


def run(arguments: argparse.Namespace) -> int:
    """Run the plan; print a table or JSON; fail on program, contract or policy errors."""
    try:
        estate = load_estate(arguments.accounts_dir)
        check_contracts(CONTRACTS)
    except (AccountsError, ContractError) as error:
        raise UserError(str(error)) from None
    _check_selection(arguments.account, list(estate.accounts), "account")
    _check_selection(arguments.project, [c.project for c in CONTRACTS], "project")
    started = time.perf_counter()
    runs: list[StackRun] = []
    violations: list[str] = []
    try:
        for stack_run in run_plan(estate, accounts=arguments.account, projects=arguments.project):
            runs.append(stack_run)
            violations.extend(check_stack(stack_run, estate))
    except ProgramError as error:
        raise UserError(f"plan failed: {error}", exit_code=1) from None
    if arguments.json:
        json.dump(
            {"stacks": [_stack_json(r) for r in runs]},
            sys.stdout,
            indent=2,
            sort_keys=True,
            default=str,
        )
        print()
    else:
        _print_table(runs, time.perf_counter() - started)
    for violation in violations:
        print(f"violation: {violation}", file=sys.stderr)
    if violations:
        raise UserError(
            f"plan found {len(violations)} house-rule violation(s), listed above", exit_code=1
        )
    if not arguments.json:
        print(
            "no house-rule violations: explicit pinned providers, standard tags, no wildcard actions"
        )
    return EXIT_OK


def _check_selection(selected: list[str] | None, known: list[str], what: str) -> None:
    for name in selected or []:
        if name not in known:
            raise UserError(f"unknown {what} {name!r}; choose one of: {', '.join(known)}")


def _stack_json(stack_run: StackRun) -> dict[str, object]:
    return {
        "project": stack_run.project,
        "stack": stack_run.stack,
        "account_id": stack_run.account_id,
        "resources": [r.as_json() for r in stack_run.resources],
        "outputs": dict(stack_run.outputs),
    }


def _print_table(runs: list[StackRun], seconds: float) -> None:
    width = max([len("project"), *(len(r.project) for r in runs)])  # widest project name
    print(f"{'project':<{width}} {'stack':<10} {'account':<14} {'resources':>9} {'outputs':>8}")
    for stack_run in runs:
        print(
            f"{stack_run.project:<{width}} {stack_run.stack:<10} {stack_run.account_id:<14} "
            f"{len(stack_run.resources):>9} {len(stack_run.outputs):>8}"
        )
    print(f"{len(runs)} stack(s) planned offline under Pulumi mocks in {seconds:.1f} s")
