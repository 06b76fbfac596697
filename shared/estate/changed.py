"""Which stacks a git diff affects, in deploy order: what CI previews and deploys.

The rules, one per kind of path (first match wins):

- ``projects/<dir>/...`` and ``shared/estate/programs/<dir>/...``: the project whose contract
  names that directory, in every account;
- ``accounts/organization.yaml``: every project in every account;
- ``accounts/<account>.yaml``: every project of that account;
- anything else under ``shared/``, and ``pyproject.toml``, ``uv.lock``, ``policy/``: every
  project in every account (the code and the pack every program runs with);
- the root project's ``Pulumi.yaml``: the project it declares, in every account;
- everything else (docs, tests, bench, workflows, README): nothing.

A project whose stack is affected may change its exported outputs, so the projects that
read them (``ProjectContract.reads``) are affected in the same account, transitively.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from estate.accounts import Account, Estate
from estate.contracts import CONTRACTS, ProjectContract, deploy_order
from estate.programs.deployments.roles import CiRole, ci_role_arn

ORGANIZATION_FILE = "accounts/organization.yaml"
EVERYTHING_PATHS = ("pyproject.toml", "uv.lock")
EVERYTHING_DIRS = ("shared/", "policy/")
PROGRAMS_DIR = "shared/estate/programs/"
ROOT_PROJECT_FILE = "Pulumi.yaml"
# Projects CI previews but never deploys: their first and every later update runs with an
# administrator's session (org-iam's boundary forbids the deploy role to touch org-iam; the
# root project needs a GitHub admin token). README "Deploying for real" says why.
ADMIN_APPLIED = frozenset({"org-iam", "estate-deployments"})


class ChangedError(RuntimeError):
    """The diff cannot be computed: no git, not a repository, an unknown or missing ref."""


@dataclass(frozen=True)
class AffectedStack:
    """One stack to preview or deploy, why, and what a workflow job needs to reach it."""

    project: str
    stack: str
    account_id: str
    work_dir: str
    reason: str
    pulumi_stack: str  # <org>/<project>/<stack>, as pulumi/actions takes it
    region: str  # the account's primary region, for the credentials step
    preview_role_arn: str
    deploy_role_arn: str

    def as_json(self) -> dict[str, str]:
        """The stack as `estate changed` prints it."""
        return {
            "project": self.project,
            "stack": self.stack,
            "account_id": self.account_id,
            "work_dir": self.work_dir,
            "reason": self.reason,
            "pulumi_stack": self.pulumi_stack,
            "region": self.region,
            "preview_role_arn": self.preview_role_arn,
            "deploy_role_arn": self.deploy_role_arn,
        }


def work_dir(contract: ProjectContract, root: Path) -> str:
    """The folder holding the project's Pulumi.yaml: its own, or the repository root's (whose
    Pulumi.yaml points at the program folder with ``main:``)."""
    if (root / contract.directory / "Pulumi.yaml").is_file():
        return contract.directory
    return "."


def affected_stacks(
    paths: Iterable[str],
    estate: Estate,
    *,
    root: Path,
    contracts: Sequence[ProjectContract] = CONTRACTS,
) -> list[AffectedStack]:
    """The stacks `paths` (repository-relative, POSIX) affect, producers before readers."""
    ordered = deploy_order(contracts)
    accounts = [account.name for account in estate]
    by_directory = {PurePosixPath(c.directory).name: c.project for c in ordered}
    root_project = _root_project(root)
    reasons: dict[tuple[str, str], str] = {}

    def mark(projects: Iterable[str], stacks: Iterable[str], reason: str) -> None:
        for project in projects:
            for stack in stacks:
                reasons.setdefault((project, stack), reason)

    every_project = [c.project for c in ordered]
    for path in sorted(set(paths)):
        parts = PurePosixPath(path).parts
        if path.startswith(("projects/", PROGRAMS_DIR)):
            directory = parts[1] if parts[0] == "projects" else parts[3] if len(parts) > 4 else ""
            project = by_directory.get(directory)
            if project is not None:
                mark([project], accounts, f"{path} changed")
                continue
        if path == ORGANIZATION_FILE:
            mark(every_project, accounts, f"{path} changed")
        elif parts[0] == "accounts" and len(parts) == 2 and path.endswith(".yaml"):
            account = PurePosixPath(path).stem
            if account in accounts:
                mark(every_project, [account], f"{path} changed")
        elif path in EVERYTHING_PATHS or path.startswith(EVERYTHING_DIRS):
            mark(every_project, accounts, f"{path} changed")
        elif path == ROOT_PROJECT_FILE and root_project in every_project:
            mark([root_project], accounts, f"{path} changed")
    _add_readers(ordered, accounts, reasons)
    return [
        _stack(contract, account, estate, root, reasons[(contract.project, account.name)])
        for contract in ordered
        for account in estate
        if (contract.project, account.name) in reasons
    ]


def every_stack(
    estate: Estate, *, root: Path, contracts: Sequence[ProjectContract] = CONTRACTS
) -> list[AffectedStack]:
    """Every project x account stack in deploy order (what the drift check visits)."""
    return [
        _stack(contract, account, estate, root, "every stack")
        for contract in deploy_order(contracts)
        for account in estate
    ]


def _stack(
    contract: ProjectContract, account: Account, estate: Estate, root: Path, reason: str
) -> AffectedStack:
    return AffectedStack(
        project=contract.project,
        stack=account.name,
        account_id=account.account_id,
        work_dir=work_dir(contract, root),
        reason=reason,
        pulumi_stack=f"{estate.organization.pulumi_org}/{contract.project}/{account.name}",
        region=account.primary_region,
        preview_role_arn=ci_role_arn(account, CiRole.PREVIEW),
        deploy_role_arn=ci_role_arn(account, CiRole.DEPLOY),
    )


def _add_readers(
    ordered: Sequence[ProjectContract], accounts: Sequence[str], reasons: dict[tuple[str, str], str]
) -> None:
    """Readers of an affected producer are affected in the same account (deploy order makes
    one pass enough: every producer is settled before its readers are looked at)."""
    for contract in ordered:
        for account in accounts:
            if (contract.project, account) in reasons:
                continue
            producers = [p for p in contract.reads if (p, account) in reasons]
            if producers:
                reasons[(contract.project, account)] = f"reads outputs of {', '.join(producers)}"


def _root_project(root: Path) -> str | None:
    """The name the repository root's Pulumi.yaml declares (None without one)."""
    try:
        text = (root / ROOT_PROJECT_FILE).read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("name:"):
            return line.removeprefix("name:").strip()
    return None


def changed_paths(repository: Path, base: str, head: str) -> list[str]:
    """Paths that differ between the merge base of `base` and `head`, and `head`."""
    if not repository.is_dir():
        raise ChangedError(f"{repository} is not a directory; run from the repository")
    if run_git(repository, "rev-parse", "--git-dir")[0] != 0:
        raise ChangedError(f"{repository} is not inside a git repository; run from a clone")
    shallow = run_git(repository, "rev-parse", "--is-shallow-repository")[1].strip() == "true"
    for label, ref in (("--base", base), ("--head", head)):
        if run_git(repository, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")[0] != 0:
            if shallow:
                raise ChangedError(
                    f"{label} {ref!r} is not in this shallow clone; fetch the history "
                    "(actions/checkout with fetch-depth: 0, or git fetch --unshallow)"
                )
            raise ChangedError(
                f"{label} {ref!r} is not a known commit, branch or tag; check the name "
                "or git fetch it first"
            )
    if run_git(repository, "merge-base", base, head)[0] != 0:
        hint = "fetch the history (fetch-depth: 0)" if shallow else "pick a base on this history"
        raise ChangedError(f"--base {base!r} and --head {head!r} share no history; {hint}")
    code, listing, error = run_git(
        repository, "diff", "--name-only", "--no-renames", "-z", f"{base}...{head}"
    )
    if code != 0:
        raise ChangedError(f"git diff {base}...{head} failed: {error.strip()}")
    return [path for path in listing.split("\0") if path]


def run_git(repository: Path, *args: str) -> tuple[int, str, str]:
    """Run git in `repository`: (exit code, stdout, stderr); a missing git is a ChangedError."""
    try:
        completed = subprocess.run(  # noqa: S603 - fixed argv, no shell
            ["git", *args],  # noqa: S607 - git from PATH, as CI provides it
            cwd=repository,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise ChangedError("git is not installed or not on PATH; install git") from None
    return completed.returncode, completed.stdout, completed.stderr


def json_list(stacks: Sequence[AffectedStack]) -> list[dict[str, str]]:
    """The stacks as the JSON list `estate changed` prints."""
    return [stack.as_json() for stack in stacks]


def by_account(stacks: Sequence[AffectedStack], estate: Estate) -> dict[str, list[dict[str, str]]]:
    """The affected stacks grouped by account, every account present (empty when unaffected),
    each group in deploy order: what the deploy workflow's per-environment jobs read."""
    groups: dict[str, list[dict[str, str]]] = {account.name: [] for account in estate}
    for stack in stacks:
        groups[stack.stack].append(stack.as_json())
    return groups
