"""Each alarm's math, threshold, missing-data treatment and action, on recorded resources."""

from __future__ import annotations

from typing import Any

import pytest

from estate.programs.observability import alarm_specs
from estate.programs.observability.alarm_specs import AlarmSpec, AlarmSpecError, MetricRef
from tests.support.observability_world import TOPIC, platform, record

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@pytest.fixture(scope="module")
def alarms() -> list[dict[str, Any]]:
    return [r.inputs for r in record(platform()) if r.type == ALARM]


def _reading(alarms: list[dict[str, Any]], metric: str, **dims: str) -> list[dict[str, Any]]:
    """The alarms with a query on ``metric`` whose dimensions include ``dims``."""
    return [
        a
        for a in alarms
        if any(
            q.get("metric", {}).get("metricName") == metric
            and dims.items() <= q["metric"].get("dimensions", {}).items()
            for q in a["metricQueries"]
        )
    ]


def _expression(alarm: dict[str, Any]) -> str | None:
    returned = [q for q in alarm["metricQueries"] if q["returnData"]]
    assert len(returned) == 1  # CloudWatch alarms on exactly one returned series
    expression: str | None = returned[0].get("expression")
    return expression


def test_every_alarm_pages_and_clears_through_cores_alert_topic(
    alarms: list[dict[str, Any]],
) -> None:
    assert alarms
    for alarm in alarms:
        assert alarm["alarmActions"] == [TOPIC] and alarm["okActions"] == [TOPIC]
        assert f"Missing data: {alarm['treatMissingData']} (" in alarm["alarmDescription"]


def test_each_function_has_an_error_rate_alarm_over_two_periods(
    alarms: list[dict[str, Any]],
) -> None:
    observed = platform()
    for function in observed.functions.values():
        (alarm,) = _reading(_reading(alarms, "Errors", FunctionName=str(function)), "Invocations")
        queries = {q["id"]: q for q in alarm["metricQueries"]}
        assert _expression(alarm) == "100 * errors / invocations"
        assert queries["errors"]["metric"]["metricName"] == "Errors"
        assert queries["invocations"]["metric"]["metricName"] == "Invocations"
        assert {q["metric"]["stat"] for q in queries.values() if "metric" in q} == {"Sum"}
        assert alarm["threshold"] == observed.error_rate_percent
        assert alarm["comparisonOperator"] == "GreaterThanThreshold"
        assert (alarm["evaluationPeriods"], alarm["datapointsToAlarm"]) == (2, 2)
        assert alarm["treatMissingData"] == "notBreaching"


def test_the_error_rate_threshold_follows_the_platforms(alarms: list[dict[str, Any]]) -> None:
    stricter = [r.inputs for r in record(platform(error_rate_percent=1.5)) if r.type == ALARM]
    rates = [a for a in stricter if _expression(a) == "100 * errors / invocations"]
    assert rates and {a["threshold"] for a in rates} == {1.5}


def test_each_function_alarms_on_throttles(alarms: list[dict[str, Any]]) -> None:
    for function in platform().functions.values():
        (alarm,) = _reading(alarms, "Throttles", FunctionName=str(function))
        assert (alarm["threshold"], alarm["treatMissingData"]) == (0, "notBreaching")


def test_any_visible_message_in_any_dead_letter_queue_alarms(
    alarms: list[dict[str, Any]],
) -> None:
    for queue in platform().dead_letter_queues.values():
        (alarm,) = _reading(alarms, "ApproximateNumberOfMessagesVisible", QueueName=str(queue))
        assert alarm["comparisonOperator"] == "GreaterThanThreshold" and alarm["threshold"] == 0
        assert (alarm["evaluationPeriods"], alarm["treatMissingData"]) == (1, "notBreaching")


def test_no_completed_scan_in_26_hours_is_breaching_when_silent(
    alarms: list[dict[str, Any]],
) -> None:
    scans = set(platform().scans)
    heartbeats = _reading(alarms, "ScanCompleted")
    assert len(heartbeats) == len(scans)
    for scanner, account in scans:
        (alarm,) = _reading(heartbeats, "ScanCompleted", Scanner=scanner, Account=account)
        (query,) = alarm["metricQueries"]
        window_hours = query["metric"]["period"] * alarm["evaluationPeriods"] / 3600
        assert window_hours == 26 and alarm["datapointsToAlarm"] == alarm["evaluationPeriods"]
        assert alarm["comparisonOperator"] == "LessThanThreshold" and alarm["threshold"] == 1
        assert alarm["treatMissingData"] == "breaching"


def test_a_failed_state_machine_execution_alarms(alarms: list[dict[str, Any]]) -> None:
    for machine in platform().state_machines.values():
        (alarm,) = _reading(alarms, "ExecutionsFailed", StateMachineArn=str(machine))
        assert alarm["threshold"] == 0 and alarm["treatMissingData"] == "notBreaching"


def test_api_5xx_rate_and_p99_latency(alarms: list[dict[str, Any]]) -> None:
    observed = platform()
    dims = {"ApiName": str(observed.api_name), "Stage": str(observed.api_stage)}
    (rate,) = _reading(_reading(alarms, "5XXError", **dims), "Count", **dims)
    assert _expression(rate) == "100 * errors / requests"
    assert rate["threshold"] == observed.error_rate_percent
    (latency,) = _reading(alarms, "Latency", **dims)
    (query,) = latency["metricQueries"]
    assert query["metric"]["stat"] == "p99"
    assert latency["threshold"] == alarm_specs.API_P99_LATENCY_MS
    assert latency["treatMissingData"] == "missing"


def test_spillover_alarms_only_with_provisioned_concurrency(
    alarms: list[dict[str, Any]],
) -> None:
    observed = platform()
    resource = f"{observed.api_function_name}:{observed.api_alias}"
    (alarm,) = _reading(alarms, "ProvisionedConcurrencySpilloverInvocations", Resource=resource)
    assert alarm["threshold"] == 0
    none = [r.inputs for r in record(platform(api_provisioned_concurrency=0)) if r.type == ALARM]
    assert not _reading(none, "ProvisionedConcurrencySpilloverInvocations")
    assert len(none) == len(alarms) - 1


def test_new_critical_findings_alarm_on_cores_metric(alarms: list[dict[str, Any]]) -> None:
    (alarm,) = _reading(alarms, "NewCriticalFindings")
    assert alarm["threshold"] == 0 and alarm["treatMissingData"] == "notBreaching"


def test_a_spec_reading_a_metric_nothing_emits_is_refused() -> None:
    with pytest.raises(AlarmSpecError, match="Estate ScanFinished is emitted by nothing"):
        AlarmSpec(
            purpose="typo",
            description="d",
            metrics=(MetricRef("m", "Estate", "ScanFinished", "Sum", 3600),),
            comparison="LessThanThreshold",
            threshold=1,
            evaluation_periods=1,
            datapoints_to_alarm=1,
            treat_missing_data="breaching",
            missing_data_reason="r",
        )


def test_an_evaluation_window_cloudwatch_refuses_is_refused() -> None:
    metric = MetricRef("m", "AWS/Lambda", "Errors", "Sum", 300)
    with pytest.raises(AlarmSpecError, match="over 86400 s"):
        AlarmSpec("long", "d", (metric,), "GreaterThanThreshold", 0, 289, 1, "notBreaching", "r")


def test_alarm_names_are_unique(alarms: list[dict[str, Any]]) -> None:
    names = [a["name"] for a in alarms]
    assert len(set(names)) == len(names)
