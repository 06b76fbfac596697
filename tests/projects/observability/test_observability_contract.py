"""What observability reads, derived from what core and scanner-fleet export."""

from __future__ import annotations

from estate.contracts import (
    CONTRACTS,
    CORE,
    OBSERVABILITY,
    SCANNER_FLEET,
    check_contracts,
    deploy_order,
    observed_outputs,
)


def test_every_function_queue_and_machine_the_producers_export_is_watched() -> None:
    for producer in (CORE, SCANNER_FLEET):
        watched = observed_outputs(producer)
        assert any(name.endswith("_function_name") for name in watched)
        assert set(watched) <= set(OBSERVABILITY.reads[producer.project])


def test_observability_reads_only_what_its_producers_export() -> None:
    for producer in (CORE, SCANNER_FLEET):
        assert set(OBSERVABILITY.reads[producer.project]) <= producer.export_names()


def test_observability_is_registered_and_deployed_after_what_it_reads() -> None:
    assert OBSERVABILITY in CONTRACTS
    check_contracts(CONTRACTS)
    order = [c.project for c in deploy_order(CONTRACTS)]
    for producer in OBSERVABILITY.reads:
        assert order.index(producer) < order.index(OBSERVABILITY.project)
