"""Stack contracts: reads must match exports, the graph is acyclic, the order follows it."""

from __future__ import annotations

import pytest

from estate.contracts import (
    CONTRACTS,
    ContractError,
    OutputKind,
    OutputSpec,
    ProjectContract,
    check_contracts,
    deploy_order,
)


def _contract(
    project: str, exports: tuple[str, ...] = (), reads: dict[str, tuple[str, ...]] | None = None
) -> ProjectContract:
    return ProjectContract(
        project=project,
        directory=f"projects/{project}",
        description=project,
        exports=tuple(OutputSpec(name, OutputKind.NAME, name) for name in exports),
        reads=reads or {},
    )


def test_the_shipped_contracts_are_consistent() -> None:
    check_contracts(CONTRACTS)
    assert deploy_order(CONTRACTS)[0].project == "org-iam"


def test_a_read_of_an_output_nobody_exports_fails() -> None:
    producer = _contract("core", exports=("bucket_name",))
    consumer = _contract("fleet", reads={"core": ("bucket_name", "bucket_arn")})
    with pytest.raises(
        ContractError, match=r"fleet reads core\.bucket_arn, which core does not export"
    ):
        check_contracts([producer, consumer])


def test_a_read_from_an_unknown_project_fails() -> None:
    with pytest.raises(ContractError, match="unknown project 'ghost'"):
        check_contracts([_contract("fleet", reads={"ghost": ("x",)})])


def test_a_cycle_fails_and_is_named() -> None:
    a = _contract("a", exports=("x",), reads={"b": ("y",)})
    b = _contract("b", exports=("y",), reads={"a": ("x",)})
    with pytest.raises(ContractError, match="cycle"):
        check_contracts([a, b])


def test_producers_deploy_before_their_readers_whatever_the_declared_order() -> None:
    observability = _contract("observability", reads={"core": ("t",), "fleet": ("f",)})
    fleet = _contract("fleet", exports=("f",), reads={"core": ("t",), "org-iam": ("r",)})
    core = _contract("core", exports=("t",), reads={"org-iam": ("r",)})
    org_iam = _contract("org-iam", exports=("r",))
    order = [c.project for c in deploy_order([observability, fleet, core, org_iam])]
    assert order == ["org-iam", "core", "fleet", "observability"]
