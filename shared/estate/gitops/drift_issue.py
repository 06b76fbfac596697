"""One issue per drifted stack: opened on the first drift, commented on while it lasts,
closed once a drift check passes again. The title names the stack, so it is the key.

    python -m estate.gitops.drift_issue     # STACK, OUTCOME, RUN_URL from the drift job
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping

from estate.gitops.github_cli import (
    GhRunner,
    WorkflowInputError,
    require_env,
    run_gh,
    stack_from_env,
)

LABEL = "drift"  # created by the root project (estate-deployments)


def issue_title(pulumi_stack: str) -> str:
    """The title, and so the identity, of a stack's drift issue."""
    return f"drift: {pulumi_stack}"


def reconcile(pulumi_stack: str, outcome: str, run_url: str, gh: GhRunner) -> str:
    """Open, comment on or close the stack's issue after a drift check; returns what it did."""
    title = issue_title(pulumi_stack)
    listing = gh(
        [
            "issue",
            "list",
            "--label",
            LABEL,
            "--state",
            "open",
            "--limit",
            "500",
            "--json",
            "number,title",
        ],
        None,
    )
    open_numbers = sorted(
        int(i["number"]) for i in json.loads(listing or "[]") if i["title"] == title
    )
    if outcome == "success":
        for number in open_numbers:
            gh(
                ["issue", "close", str(number), "--comment", f"No drift any more ({run_url})."],
                None,
            )
        return f"closed {len(open_numbers)}" if open_numbers else "nothing to do"
    if outcome != "failure":  # cancelled or skipped: no verdict about the stack
        return "nothing to do"
    body = (
        f"`pulumi preview --refresh --expect-no-changes` of `{pulumi_stack}` found changes or "
        f"failed: {run_url}\n\nThe diff is on the job's summary page. Either bring the cloud "
        "back to the code (run the deploy workflow) or bring the code to the cloud in a pull "
        "request; the next clean check closes this issue."
    )
    if open_numbers:
        gh(
            ["issue", "comment", str(open_numbers[0]), "--body-file", "-"],
            f"Still drifting: {run_url}",
        )
        return f"commented on #{open_numbers[0]}"
    gh(["issue", "create", "--title", title, "--label", LABEL, "--body-file", "-"], body)
    return "opened"


def main(environ: Mapping[str, str] | None = None, gh: GhRunner = run_gh) -> int:
    """Read the job's values and reconcile; a missing value is one line, exit 2."""
    try:
        stack = stack_from_env(environ)
        outcome = require_env("OUTCOME", environ)
        run_url = require_env("RUN_URL", environ)
    except WorkflowInputError as error:
        print(f"drift_issue: {error}", file=sys.stderr)
        return 2
    print(f"{stack['pulumi_stack']}: {reconcile(stack['pulumi_stack'], outcome, run_url, gh)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
