"""Consumers read producers only through contracts; under mocks, references are served too."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from estate.accounts import Estate
from estate.contracts import ProjectContract
from estate.plan.runner import ProgramError, StackRun, run_stack

READER_PROGRAM = """
import pulumi
from estate.contracts import ORG_IAM, ProjectContract, read_outputs

reader = ProjectContract("reader", "", "", exports=(), reads={"org-iam": ("deploy_role_arn",)})
outputs = read_outputs(reader, ORG_IAM, organization="acme", stack=pulumi.get_stack())
pulumi.export("seen", outputs["deploy_role_arn"])
"""


def _program(tmp_path: Path, source: str, project: str) -> ProjectContract:
    (tmp_path / "__main__.py").write_text(source)
    return ProjectContract(project, str(tmp_path), "a test program", exports=())


def test_a_reference_is_served_the_producers_outputs_of_the_same_plan(
    tmp_path: Path, estate: Estate, run_program: Callable[[str, str], StackRun]
) -> None:
    producer = run_program("org-iam", "staging")
    reader = _program(tmp_path, READER_PROGRAM, "reader")
    run = run_stack(
        reader,
        estate.account("staging"),
        estate,
        producer_outputs={("org-iam", "staging"): producer.outputs},
    )
    assert run.outputs["seen"] == producer.outputs["deploy_role_arn"]
    (reference,) = run.of_type("pulumi:pulumi:StackReference")
    assert reference.inputs["name"] == "acme/org-iam/staging"


def test_without_a_producer_run_the_reference_gets_contract_shaped_values(
    tmp_path: Path, estate: Estate
) -> None:
    reader = _program(tmp_path, READER_PROGRAM, "reader")
    run = run_stack(reader, estate.account("dev"), estate)
    assert run.outputs["seen"].startswith("arn:aws:iam::111111111111:")


def test_a_failing_program_is_reported_with_its_stack(tmp_path: Path, estate: Estate) -> None:
    broken = _program(tmp_path, "raise RuntimeError('boom')\n", "broken")
    with pytest.raises(ProgramError, match=r"^broken/prod: RuntimeError: boom$"):
        run_stack(broken, estate.account("prod"), estate)
