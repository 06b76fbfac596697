"""The contract-break gate: between the base and the head of a change, no producer may remove
or retype an output that a consumer reads — at the base (stacks deployed from it still
read it until they are updated) or at the head.

Removing an output safely takes two changes: first stop reading it, then stop exporting
it. The base's contracts are read from git (``git show <base>:shared/estate/contracts.py``)
and executed in a module of their own; only trusted history (the pull request's base)
is ever loaded this way.

    python -m estate.gates.contracts --base origin/main [--head HEAD]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from estate.changed import ChangedError, run_git

CONTRACTS_PATH = "shared/estate/contracts.py"


class GateError(RuntimeError):
    """The gate cannot run: git or the base's contracts are unavailable."""


def _exports(contracts: Sequence[Any]) -> dict[tuple[str, str], str]:
    """(project, output) -> kind, for every export of every contract."""
    return {(c.project, spec.name): str(spec.kind.value) for c in contracts for spec in c.exports}


def contract_breaks(base: Sequence[Any], head: Sequence[Any]) -> list[str]:
    """Every read output the head removes or retypes, naming producer and consumer."""
    before, after = _exports(base), _exports(head)
    reads: set[tuple[str, str, str]] = {
        (consumer.project, producer, name)
        for contracts in (base, head)
        for consumer in contracts
        for producer, names in consumer.reads.items()
        for name in names
    }
    problems: list[str] = []
    for consumer, producer, name in sorted(reads):
        key = (producer, name)
        if key in before and key not in after:
            problems.append(
                f"{producer} removes output {name}, which {consumer} reads; stop reading it "
                f"in {consumer} first, remove it in a later change"
            )
        elif key in before and before[key] != after[key]:
            problems.append(
                f"{producer} changes output {name} from {before[key]} to {after[key]}, which "
                f"{consumer} reads; export the new shape under a new name"
            )
    return problems


def contracts_at(repository: Path, ref: str) -> list[Any]:
    """The CONTRACTS of `ref`, from its own copy of the contracts module."""
    try:
        code, source, error = run_git(repository, "show", f"{ref}:{CONTRACTS_PATH}")
    except ChangedError as missing_git:
        raise GateError(str(missing_git)) from None
    if code != 0:
        raise GateError(
            f"cannot read {CONTRACTS_PATH} at {ref!r} ({error.strip()}); "
            "fetch the base (fetch-depth: 0)"
        )
    name = f"_estate_contracts_at_{abs(hash((str(repository), ref)))}"
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses resolve their annotations through it
    try:
        exec(compile(source, f"{ref}:{CONTRACTS_PATH}", "exec"), module.__dict__)  # noqa: S102 - the base's own, trusted source
    finally:
        sys.modules.pop(name, None)
    return list(module.CONTRACTS)


def main(argv: Sequence[str] | None = None) -> int:
    """Compare the base's contracts with the head's; exit 1 naming each break."""
    parser = argparse.ArgumentParser(prog="python -m estate.gates.contracts")
    parser.add_argument("--base", required=True, help="the change's base, e.g. origin/main")
    parser.add_argument("--head", default=None, help="a ref (default: the working tree)")
    parser.add_argument("--repo", type=Path, default=Path(), help="the repository (default: .)")
    arguments = parser.parse_args(argv)
    try:
        base = contracts_at(arguments.repo, arguments.base)
        if arguments.head:
            head = contracts_at(arguments.repo, arguments.head)
        else:
            from estate.contracts import CONTRACTS  # noqa: PLC0415

            head = list(CONTRACTS)
    except GateError as error:
        print(f"contracts gate: {error}", file=sys.stderr)
        return 2
    problems = contract_breaks(base, head)
    for problem in problems:
        print(f"contracts gate: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"contracts gate: no read output removed or retyped since {arguments.base}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
