"""The contract-break gate: removals and retypes of read outputs, base against head."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from estate.contracts import CONTRACTS, OutputKind, OutputSpec, ProjectContract
from estate.gates.contracts import CONTRACTS_PATH, contract_breaks, contracts_at, main

PRODUCER = ProjectContract(
    "core",
    "projects/core",
    "producer",
    (
        OutputSpec("bucket", OutputKind.NAME, "read"),
        OutputSpec("spare", OutputKind.NAME, "unread"),
    ),
)
READER = ProjectContract(
    "scanner-fleet", "projects/scanner_fleet", "reader", (), reads={"core": ("bucket",)}
)


def _producer(*exports: OutputSpec) -> ProjectContract:
    return ProjectContract("core", "projects/core", "producer", exports)


def test_removing_a_read_output_fails_naming_producer_and_consumer() -> None:
    (problem,) = contract_breaks([PRODUCER, READER], [_producer(PRODUCER.exports[1]), READER])
    assert problem.startswith("core removes output bucket, which scanner-fleet reads")


def test_retyping_a_read_output_fails_naming_both_kinds() -> None:
    retyped = _producer(OutputSpec("bucket", OutputKind.ARN, "now an ARN"), PRODUCER.exports[1])
    (problem,) = contract_breaks([PRODUCER, READER], [retyped, READER])
    assert "core changes output bucket from name to arn, which scanner-fleet reads" in problem


def test_removing_an_output_read_only_at_the_base_still_fails() -> None:
    stopped_reading = ProjectContract("scanner-fleet", "projects/scanner_fleet", "reader", ())
    head = [_producer(PRODUCER.exports[1]), stopped_reading]
    assert contract_breaks([PRODUCER, READER], head) != []
    # ...while the two-step way passes: first stop reading, then remove.
    assert contract_breaks([PRODUCER, stopped_reading], head) == []


def test_unread_removals_and_additions_pass() -> None:
    added = _producer(*PRODUCER.exports, OutputSpec("new", OutputKind.URL, "added"))
    assert contract_breaks([PRODUCER, READER], [_producer(PRODUCER.exports[0]), READER]) == []
    assert contract_breaks([PRODUCER, READER], [added, READER]) == []


def _git(repository: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repository, check=True, capture_output=True)


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A repository whose first commit holds the shipped contracts module."""
    source = Path(__file__).resolve().parents[3] / CONTRACTS_PATH
    target = tmp_path / CONTRACTS_PATH
    target.parent.mkdir(parents=True)
    shutil.copy(source, target)
    _git(tmp_path, "init", "--quiet")
    _git(tmp_path, "-c", "user.email=t@e.invalid", "-c", "user.name=t", "add", "-A")
    _git(tmp_path, "-c", "user.email=t@e.invalid", "-c", "user.name=t", "commit", "-qm", "base")
    return tmp_path


def test_the_base_contracts_load_from_git_as_they_were(history: Path) -> None:
    loaded = contracts_at(history, "HEAD")
    assert [(c.project, c.reads) for c in loaded] == [(c.project, c.reads) for c in CONTRACTS]


def test_the_command_fails_when_a_commit_removes_a_read_output(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reads = [(c, p, n) for c in CONTRACTS for p, names in c.reads.items() for n in names]
    consumer, producer, name = reads[0]
    path = history / CONTRACTS_PATH
    # Renamed everywhere: the head is consistent, but stacks deployed from the base read it.
    path.write_text(path.read_text().replace(f'"{name}"', f'"{name}_renamed"'))
    _git(history, "-c", "user.email=t@e.invalid", "-c", "user.name=t", "commit", "-qam", "drop")
    assert main(["--base", "HEAD~1", "--head", "HEAD", "--repo", str(history)]) == 1
    err = capsys.readouterr().err
    assert f"{producer} removes output {name}, which {consumer.project} reads" in err
    assert main(["--base", "HEAD~1", "--head", "HEAD~1", "--repo", str(history)]) == 0


def test_an_unknown_base_is_a_one_line_error(
    history: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--base", "nope", "--repo", str(history)]) == 2
    assert capsys.readouterr().err.count("\n") == 1
