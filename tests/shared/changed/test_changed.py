"""`estate changed`: each path rule, through real commits in temporary git repositories."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from estate.accounts import Estate, default_accounts_dir, load_estate
from estate.changed import (
    ADMIN_APPLIED,
    ChangedError,
    affected_stacks,
    changed_paths,
)
from estate.cli.main import main
from estate.contracts import CONTRACTS, OutputKind, OutputSpec, ProjectContract, deploy_order

# A small project graph with a producer, its reader, and an unrelated project, so that every
# rule — the readers rule included — is exercised whatever the shipped contracts hold.
PRODUCER = ProjectContract(
    "core",
    "projects/core",
    "producer",
    (OutputSpec("bucket", OutputKind.NAME, "a bucket"),),
)
READER = ProjectContract(
    "scanner-fleet",
    "projects/scanner_fleet",
    "reader",
    (OutputSpec("machine", OutputKind.ARN, "a state machine"),),
    reads={"core": ("bucket",)},
)
LEAF = ProjectContract(
    "observability",
    "projects/observability",
    "reads the reader",
    (),
    reads={"scanner-fleet": ("machine",)},
)
SOLO = ProjectContract("solo", "projects/solo", "reads nothing", ())
# Declared readers first: the output must still come in deploy order.
GRAPH = (LEAF, SOLO, READER, PRODUCER)


def _git(repository: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repository, check=True, capture_output=True, text=True
    ).stdout


def _commit_all(repository: Path, message: str) -> None:
    _git(repository, "add", "-A")
    _git(repository, "commit", "--quiet", "--allow-empty", "-m", message)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A git repository with the shipped accounts/, a project folder per contract, a root
    Pulumi.yaml, docs and tests: the base commit every case changes."""
    root = tmp_path / "repo"
    shutil.copytree(default_accounts_dir(), root / "accounts")
    for contract in GRAPH:
        (root / contract.directory).mkdir(parents=True)
        (root / contract.directory / "Pulumi.yaml").write_text(f"name: {contract.project}\n")
        (root / contract.directory / "__main__.py").write_text("# program\n")
    (root / "Pulumi.yaml").write_text("name: solo\nmain: projects/solo/\n")
    for path in ("docs/x.md", "tests/test_x.py", "README.md", "shared/estate/naming.py"):
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("base\n")
    _git(root, "init", "--quiet", "--initial-branch=main")
    _git(root, "config", "user.email", "t@example.invalid")
    _git(root, "config", "user.name", "t")
    _commit_all(root, "base")
    return root


def _touch(root: Path, path: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    with (root / path).open("a") as handle:
        handle.write("# change\n")


def _affected(root: Path, paths: list[str]) -> list[tuple[str, str, str]]:
    for path in paths:
        _touch(root, path)
    _commit_all(root, "change")
    estate = load_estate(root / "accounts")
    changed = changed_paths(root, "HEAD~1", "HEAD")
    assert sorted(changed) == sorted(set(paths))
    return [
        (s.project, s.stack, s.reason)
        for s in affected_stacks(changed, estate, root=root, contracts=GRAPH)
    ]


def _expected(
    estate: Estate, projects: set[str], accounts: set[str] | None = None
) -> list[tuple[str, str]]:
    """(project, stack) pairs in deploy order: projects in contract order, accounts in
    promotion order within each."""
    return [
        (c.project, a.name)
        for c in deploy_order(GRAPH)
        if c.project in projects
        for a in estate
        if accounts is None or a.name in accounts
    ]


ALL = {c.project for c in GRAPH}
DOWNSTREAM_OF_CORE = {"core", "scanner-fleet", "observability"}


@pytest.mark.parametrize(
    ("paths", "projects", "accounts"),
    [
        (["projects/solo/__main__.py"], {"solo"}, None),
        (["projects/core/__main__.py"], DOWNSTREAM_OF_CORE, None),
        (["projects/scanner_fleet/Pulumi.yaml"], {"scanner-fleet", "observability"}, None),
        (["shared/estate/programs/core/bucket.py"], DOWNSTREAM_OF_CORE, None),
        (["shared/estate/programs/solo/x.py"], {"solo"}, None),
        (["shared/estate/naming.py"], ALL, None),
        (["shared/estate_runtime/new.py"], ALL, None),
        (["pyproject.toml"], ALL, None),
        (["uv.lock"], ALL, None),
        (["policy/__main__.py"], ALL, None),
        (["accounts/staging.yaml"], ALL, {"staging"}),
        (["accounts/dev.yaml", "accounts/prod.yaml"], ALL, {"dev", "prod"}),
        (["accounts/organization.yaml"], ALL, None),
        (["Pulumi.yaml"], {"solo"}, None),
        (["docs/x.md"], set(), None),
        (["tests/test_x.py", "README.md", ".github/workflows/ci.yml"], set(), None),
        (["docs/x.md", "projects/solo/__main__.py"], {"solo"}, None),
    ],
)
def test_each_rule_maps_paths_to_stacks_in_deploy_order(
    repository: Path, paths: list[str], projects: set[str], accounts: set[str] | None
) -> None:
    estate = load_estate(repository / "accounts")
    affected = _affected(repository, paths)
    assert [(p, s) for p, s, _ in affected] == _expected(estate, projects, accounts)


def test_readers_say_whose_outputs_they_read(repository: Path) -> None:
    reasons = {(p, s): r for p, s, r in _affected(repository, ["projects/core/__main__.py"])}
    assert reasons[("core", "dev")] == "projects/core/__main__.py changed"
    assert reasons[("scanner-fleet", "dev")] == "reads outputs of core"
    assert reasons[("observability", "prod")] == "reads outputs of scanner-fleet"


def test_a_deleted_and_a_renamed_file_count_on_both_sides(repository: Path) -> None:
    _git(repository, "mv", "projects/solo/__main__.py", "docs/moved.py")
    _git(repository, "rm", "--quiet", "projects/core/Pulumi.yaml")
    _commit_all(repository, "move and delete")
    changed = set(changed_paths(repository, "HEAD~1", "HEAD"))
    assert changed == {"projects/solo/__main__.py", "docs/moved.py", "projects/core/Pulumi.yaml"}


def test_a_branch_diff_starts_at_the_merge_base(repository: Path) -> None:
    _git(repository, "checkout", "--quiet", "-b", "feature")
    _touch(repository, "projects/solo/__main__.py")
    _commit_all(repository, "feature")
    _git(repository, "checkout", "--quiet", "main")
    _touch(repository, "accounts/organization.yaml")
    _commit_all(repository, "main moved on")
    assert changed_paths(repository, "main", "feature") == ["projects/solo/__main__.py"]


def test_work_dir_is_the_folder_holding_the_projects_pulumi_yaml(repository: Path) -> None:
    (repository / "projects/solo/Pulumi.yaml").unlink()  # the root Pulumi.yaml points here
    _touch(repository, "projects/solo/__main__.py")
    _touch(repository, "projects/core/__main__.py")
    _commit_all(repository, "change")
    estate = load_estate(repository / "accounts")
    stacks = affected_stacks(
        changed_paths(repository, "HEAD~1", "HEAD"), estate, root=repository, contracts=GRAPH
    )
    work_dirs = {s.project: s.work_dir for s in stacks}
    assert work_dirs["solo"] == "."
    assert work_dirs["core"] == "projects/core"


@pytest.mark.parametrize(
    ("base", "head", "message"),
    [
        ("no-such-branch", "HEAD", "--base 'no-such-branch' is not a known commit"),
        ("HEAD", "v9.9.9", "--head 'v9.9.9' is not a known commit"),
        ("0" * 40, "HEAD", "is not a known commit"),
    ],
)
def test_unknown_refs_are_one_line_errors(
    repository: Path, base: str, head: str, message: str
) -> None:
    with pytest.raises(ChangedError, match=message):
        changed_paths(repository, base, head)


def test_a_shallow_clone_without_the_base_says_to_fetch_history(
    repository: Path, tmp_path: Path
) -> None:
    for index in range(2):
        _touch(repository, f"docs/{index}.md")
        _commit_all(repository, f"commit {index}")
    base = _git(repository, "rev-parse", "HEAD~2").strip()
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{repository}", str(clone))
    with pytest.raises(ChangedError, match=r"not in this shallow clone; fetch the history"):
        changed_paths(clone, base, "HEAD")


def test_outside_a_repository_and_without_git_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ChangedError, match="is not inside a git repository"):
        changed_paths(tmp_path, "HEAD~1", "HEAD")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ChangedError, match="git is not installed"):
        changed_paths(tmp_path, "HEAD~1", "HEAD")


# The command line over the shipped contracts: the "done when".
@pytest.fixture
def shipped(repository: Path) -> Path:
    """The temporary repository laid out with the shipped contracts' project folders."""
    for contract in CONTRACTS:
        (repository / contract.directory).mkdir(parents=True, exist_ok=True)
        (repository / contract.directory / "__main__.py").write_text("# program\n")
    _commit_all(repository, "shipped projects")
    return repository


def test_a_commit_touching_only_staging_lists_stagings_projects_alone_in_deploy_order(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _touch(shipped, "accounts/staging.yaml")
    _commit_all(shipped, "staging only")
    assert main(["changed", "--base", "HEAD~1", "--repo", str(shipped)]) == 0
    listed = json.loads(capsys.readouterr().out)
    staging = load_estate(shipped / "accounts").account("staging")
    assert [(s["project"], s["stack"], s["account_id"]) for s in listed] == [
        (c.project, "staging", staging.account_id) for c in deploy_order(CONTRACTS)
    ]
    assert {s["reason"] for s in listed} == {"accounts/staging.yaml changed"}


def test_deployable_leaves_out_admin_applied_projects_and_by_account_lists_every_account(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _touch(shipped, "accounts/organization.yaml")
    _commit_all(shipped, "everything")
    argv = ["changed", "--base", "HEAD~1", "--repo", str(shipped), "--by-account", "--deployable"]
    assert main(argv) == 0
    grouped = json.loads(capsys.readouterr().out)
    estate = load_estate(shipped / "accounts")
    assert list(grouped) == [a.name for a in estate]
    for account, stacks in grouped.items():
        assert [s["project"] for s in stacks] == [
            c.project for c in deploy_order(CONTRACTS) if c.project not in ADMIN_APPLIED
        ]
        assert {s["stack"] for s in stacks} <= {account}


def test_the_command_exits_2_with_one_line_on_an_unknown_base(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["changed", "--base", "nope", "--repo", str(shipped)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and "--base 'nope'" in captured.err


def test_all_lists_every_stack_in_deploy_order_with_its_pulumi_name_and_roles(
    shipped: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["changed", "--all", "--repo", str(shipped)]) == 0
    listed = json.loads(capsys.readouterr().out)
    estate = load_estate(shipped / "accounts")
    assert [(s["project"], s["stack"]) for s in listed] == [
        (c.project, a.name) for c in deploy_order(CONTRACTS) for a in estate
    ]
    for stack in listed:
        account = estate.account(stack["stack"])
        assert stack["pulumi_stack"] == (
            f"{estate.organization.pulumi_org}/{stack['project']}/{account.name}"
        )
        assert stack["region"] == account.primary_region
        for key in ("preview_role_arn", "deploy_role_arn"):
            assert stack[key].startswith(f"arn:aws:iam::{account.account_id}:role/")
