"""The project's own wiring (``projects/observability/__main__.py``) under the plan harness,
reading the registered contracts of core and scanner-fleet."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from estate.accounts import Estate, load_estate
from estate.accounts.model import DEFAULT_ERROR_RATE_PERCENT
from estate.contracts import CORE, OBSERVABILITY, SCANNER_FLEET, observed_outputs
from estate.iam.document import POLICY_VERSION
from estate.plan.checks import provider_problems, tag_problems
from estate.plan.runner import StackRun, run_stack
from estate.policy.evaluate import evaluate_stack
from estate.policy.props import EXEMPT_TAG_PREFIX
from estate.programs.core.resource_policies import tls_only_statement
from estate.providers import stack_tags

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@pytest.fixture(scope="module")
def runs(estate: Estate, run_program: Callable[[str, str], StackRun]) -> dict[str, StackRun]:
    return {a.name: run_program(OBSERVABILITY.project, a.name) for a in estate}


def _alarms(run: StackRun) -> list[dict[str, Any]]:
    return [dict(r.inputs) for r in run.resources if r.type == ALARM]


def test_every_account_gets_the_project_with_pinned_providers_and_tags(
    runs: dict[str, StackRun], estate: Estate
) -> None:
    assert set(runs) == set(estate.accounts)
    for name, run in runs.items():
        account = estate.account(name)
        assert list(provider_problems(run, account.regions)) == []
        tags = stack_tags(account, estate.organization, OBSERVABILITY.project)
        assert list(tag_problems(run, tags)) == []
        assert set(run.outputs) == OBSERVABILITY.export_names()


def test_every_exported_function_gets_an_error_rate_and_a_throttle_alarm(
    runs: dict[str, StackRun],
) -> None:
    functions = [
        n
        for c in (CORE, SCANNER_FLEET)
        for n in observed_outputs(c)
        if n.endswith("_function_name")
    ]
    for run in runs.values():
        rates = [a for a in _alarms(run) if a["name"].count("error-rate")]
        throttles = [a for a in _alarms(run) if a["name"].count("throttles")]
        assert len(rates) == len(throttles) == len(functions)


def test_the_scan_heartbeats_follow_the_accounts_scan_settings(
    runs: dict[str, StackRun], estate: Estate
) -> None:
    for name, run in runs.items():
        expected = {
            (scanner, target.account_id)
            for target in estate.scanned_by(name)
            for scanner, on in (("s3", target.scan.s3), ("tags", target.scan.tags))
            if on
        }
        seen = {
            (q["metric"]["dimensions"]["Scanner"], q["metric"]["dimensions"]["Account"])
            for a in _alarms(run)
            for q in a["metricQueries"]
            if q.get("metric", {}).get("metricName") == "ScanCompleted"
        }
        assert seen == expected


def test_spillover_is_watched_only_where_the_api_has_provisioned_concurrency(
    runs: dict[str, StackRun], estate: Estate
) -> None:
    for name, run in runs.items():
        spill = [a for a in _alarms(run) if "spillover" in a["name"]]
        assert len(spill) == (estate.account(name).sizes.api_provisioned_concurrency > 0)


def test_the_policy_pack_finds_nothing_in_any_observability_stack(
    runs: dict[str, StackRun], estate: Estate
) -> None:
    for run in runs.values():
        assert [str(v) for v in evaluate_stack(run, estate)] == []


def test_the_athena_results_bucket_is_tls_only_with_cores_document(
    runs: dict[str, StackRun],
) -> None:
    for run in runs.values():
        (bucket,) = run.of_type("aws:s3/bucket:Bucket")
        name = bucket.inputs["bucket"]
        (policy,) = run.of_type("aws-native:s3:BucketPolicy")
        assert policy.inputs["bucket"] == name
        arn = f"arn:aws:s3:::{name}"
        assert policy.inputs["policyDocument"] == {
            "Version": POLICY_VERSION,
            "Statement": [tls_only_statement(arn)],
        }
        # TLS is met, not waived: only the reviewed versioning and protection exceptions.
        exempt = {k for k in bucket.inputs.get("tags", {}) if k.startswith(EXEMPT_TAG_PREFIX)}
        assert exempt == {
            f"{EXEMPT_TAG_PREFIX}bucket-versioned",
            f"{EXEMPT_TAG_PREFIX}stateful-protected",
        }


def test_the_error_rate_thresholds_come_from_the_account_file(
    runs: dict[str, StackRun], accounts_copy: Path
) -> None:
    def rate_thresholds(run: StackRun) -> set[float]:
        names = ("error-rate", "5xx-rate")
        return {a["threshold"] for a in _alarms(run) if any(n in a["name"] for n in names)}

    assert rate_thresholds(runs["dev"]) == {DEFAULT_ERROR_RATE_PERCENT}
    dev = accounts_copy / "dev.yaml"
    text = dev.read_text(encoding="utf-8")
    dev.write_text(text.replace("alerts:\n", "alerts:\n  error_rate_percent: 2.5\n"), "utf-8")
    edited = load_estate(accounts_copy)
    assert rate_thresholds(run_stack(OBSERVABILITY, edited.account("dev"), edited)) == {2.5}
