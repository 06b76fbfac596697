"""The GitHub CLI as the workflows' helpers call it: one function, replaceable in tests."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from typing import Any

# Runs `gh` with these arguments and this standard input; returns its standard output.
GhRunner = Callable[[Sequence[str], str | None], str]


class WorkflowInputError(RuntimeError):
    """A value the workflow must provide is missing or malformed; the message names it."""


def run_gh(arguments: Sequence[str], stdin: str | None = None) -> str:
    """Run the real `gh` (GH_TOKEN from the job's environment); fail loudly on an error."""
    completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
        ["gh", *arguments],  # noqa: S607 - gh as the runner image provides it
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"gh {arguments[0]} failed: {completed.stderr.strip()}")
    return completed.stdout


def require_env(name: str, environ: Mapping[str, str] | None = None) -> str:
    """A non-empty environment variable the workflow sets."""
    value = (os.environ if environ is None else environ).get(name, "")
    if not value:
        raise WorkflowInputError(f"environment variable {name} is not set; the workflow sets it")
    return value


def stack_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The matrix entry (`estate changed`'s JSON of one stack) from the STACK variable."""
    try:
        stack = json.loads(require_env("STACK", environ))
    except ValueError as error:
        raise WorkflowInputError(
            f"STACK is not JSON ({error}); pass toJSON(matrix.stack)"
        ) from None
    if not isinstance(stack, dict) or not {"project", "stack", "pulumi_stack"} <= stack.keys():
        raise WorkflowInputError("STACK lacks project, stack or pulumi_stack; pass matrix.stack")
    return stack
