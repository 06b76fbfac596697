"""One bounded summary comment per pull request, of our own.

pulumi/actions edits its comment by command and stack only, so matrix jobs overwrite one
another, and a comment over 65,536 characters is refused (docs/gitops.md). Each preview
job records its outcome as a small JSON file (`record`); one job renders a table of every
changed stack from those files and creates or edits the comment carrying MARKER
(`comment`). The full diffs stay on each job's summary page, linked from the table.

    python -m estate.gitops.pr_summary record --dir previews    # STACK, OUTCOME, RUN_URL
    python -m estate.gitops.pr_summary comment --dir previews   # STACKS, PR_NUMBER, GITHUB_REPOSITORY
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from estate.gitops.github_cli import (
    GhRunner,
    WorkflowInputError,
    require_env,
    run_gh,
    stack_from_env,
)

MARKER = "<!-- estate:preview-summary -->"
MAX_COMMENT_CHARS = 65_536  # GitHub's limit on a comment body
ICONS = {"success": "✅ no policy violation", "failure": "❌ failed", "cancelled": "⏹ cancelled"}


def record(directory: Path, environ: Mapping[str, str] | None = None) -> Path:
    """Write this job's outcome as `<project>--<stack>.json` under `directory`."""
    stack = stack_from_env(environ)
    entry = {
        "project": stack["project"],
        "stack": stack["stack"],
        "reason": stack.get("reason", ""),
        "outcome": require_env("OUTCOME", environ),
        "run_url": require_env("RUN_URL", environ),
    }
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{stack['project']}--{stack['stack']}.json"
    path.write_text(json.dumps(entry, sort_keys=True), encoding="utf-8")
    return path


def render(
    expected: Sequence[Mapping[str, Any]], directory: Path, *, limit: int = MAX_COMMENT_CHARS
) -> str:
    """The comment: one row per expected stack in deploy order; a stack whose job left no
    record is reported as such. Rows past `limit` are counted, never cut mid-row."""
    recorded: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
        entry = json.loads(path.read_text(encoding="utf-8"))
        recorded[(entry["project"], entry["stack"])] = entry
    head = [
        MARKER,
        f"### Pulumi previews: {len(expected)} changed stack(s)",
        "",
        "| project | stack | why | preview |",
        "| --- | --- | --- | --- |",
    ]
    rows: list[str] = []
    failed = 0
    for stack in expected:
        entry = recorded.get((stack["project"], stack["stack"]))
        if entry is None:
            result = "⚠️ no result recorded (job skipped or crashed)"
            failed += 1
        else:
            outcome = str(entry["outcome"])
            failed += outcome != "success"
            result = f"[{ICONS.get(outcome, outcome)}]({entry['run_url']})"
        rows.append(
            f"| {_cell(stack['project'])} | {_cell(stack['stack'])} | "
            f"{_cell(stack.get('reason', ''))} | {result} |"
        )
    foot = [
        "",
        f"{failed} of {len(expected)} preview(s) need attention; diffs are on each job's summary page."
        if failed
        else "Every preview ran clean; diffs are on each job's summary page.",
    ]
    body = head[:]
    budget = limit - len("\n".join(head + foot)) - 100
    for index, row in enumerate(rows):
        if budget - len(row) - 1 < 0:
            body.append(f"| … | {len(rows) - index} more stack(s) | | see the workflow run |")
            break
        body.append(row)
        budget -= len(row) + 1
    return "\n".join(body + foot)


def upsert_comment(repository: str, pull_request: int, body: str, gh: GhRunner) -> str:
    """Edit our existing comment (the one carrying MARKER) or create it; returns which."""
    listing = gh(["api", "--paginate", f"repos/{repository}/issues/{pull_request}/comments"], None)
    ours = [c for c in _json_pages(listing) if str(c.get("body", "")).startswith(MARKER)]
    payload = json.dumps({"body": body})
    if ours:
        comment_id = ours[0]["id"]
        gh(
            [
                "api",
                "--method",
                "PATCH",
                f"repos/{repository}/issues/comments/{comment_id}",
                "--input",
                "-",
            ],
            payload,
        )
        return "updated"
    gh(
        [
            "api",
            "--method",
            "POST",
            f"repos/{repository}/issues/{pull_request}/comments",
            "--input",
            "-",
        ],
        payload,
    )
    return "created"


def _json_pages(text: str) -> list[dict[str, Any]]:
    """`gh api --paginate` prints one JSON array per page, back to back."""
    decoder = json.JSONDecoder()
    items: list[dict[str, Any]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        page, position = decoder.raw_decode(text, position)
        items.extend(page)
        while position < len(text) and text[position].isspace():
            position += 1
    return items


def _cell(value: object) -> str:
    """A table cell: no pipe or newline can break the row."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def main(argv: Sequence[str] | None = None, gh: GhRunner = run_gh) -> int:
    """`record` or `comment`; a missing workflow input is one line, exit 2."""
    parser = argparse.ArgumentParser(prog="python -m estate.gitops.pr_summary")
    parser.add_argument("action", choices=["record", "comment"])
    parser.add_argument("--dir", type=Path, required=True, help="the folder of recorded outcomes")
    arguments = parser.parse_args(argv)
    try:
        if arguments.action == "record":
            print(f"recorded {record(arguments.dir)}")
            return 0
        expected = json.loads(require_env("STACKS"))
        pull_request = int(require_env("PR_NUMBER"))
        repository = require_env("GITHUB_REPOSITORY")
    except (WorkflowInputError, ValueError) as error:
        print(f"pr_summary: {error}", file=sys.stderr)
        return 2
    what = upsert_comment(repository, pull_request, render(expected, arguments.dir), gh)
    print(f"summary comment {what} on #{pull_request}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
