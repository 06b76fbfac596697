"""A scan's counters published as CloudWatch EMF on stdout."""

from __future__ import annotations

import json

import pytest

from estate_runtime.metrics import (
    ALL_METRIC_NAMES,
    ANALYSIS_EXECUTION_TIME,
    BUCKETS_SCANNED,
    COMPLETION_METRIC_NAMES,
    FAILED_FINDINGS_BY_SEVERITY,
    FINDINGS_BY_STATUS,
    INSTANCES_SCANNED,
    SCAN_ERRORS,
    ScanCounters,
    publish_scan_metrics,
)


def emitted(capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    document: dict[str, object] = json.loads(lines[0])
    return document


def test_a_tag_scan_prints_one_emf_document_with_its_counters(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "would-add-a-dimension")
    publish_scan_metrics(
        ScanCounters(
            scanner="tags",
            account_id="111111111111",
            resources_scanned=12,
            findings_by_status={"PASS": 7, "FAIL": 4, "ERROR": 1},
            failed_by_severity={"LOW": 3, "HIGH": 1},
            errors=1,
            elapsed_ms=812.5,
        )
    )
    document = emitted(capsys)
    directive = document["_aws"]["CloudWatchMetrics"][0]  # type: ignore[index]
    assert directive["Namespace"] == "Estate"
    assert directive["Dimensions"] == [["Scanner", "Account"]]
    units = {metric["Name"]: metric["Unit"] for metric in directive["Metrics"]}
    assert units[ANALYSIS_EXECUTION_TIME] == "Milliseconds"
    assert units[INSTANCES_SCANNED] == "Count"
    assert BUCKETS_SCANNED not in units
    assert document["Scanner"] == "tags"
    assert document["Account"] == "111111111111"
    assert document[INSTANCES_SCANNED] == [12.0]
    assert document["FindingsPass"] == [7.0]
    assert document["FindingsFail"] == [4.0]
    assert document["FindingsError"] == [1.0]
    assert document["FailedFindingsLow"] == [3.0]
    assert document["FailedFindingsHigh"] == [1.0]
    assert document["FailedFindingsCritical"] == [0.0]
    assert document[SCAN_ERRORS] == [1.0]
    assert document[ANALYSIS_EXECUTION_TIME] == [812.5]
    assert "service" not in document


def test_an_s3_scan_counts_buckets_and_scans_do_not_share_state(
    capsys: pytest.CaptureFixture[str],
) -> None:
    publish_scan_metrics(ScanCounters("s3", "111111111111", 3, {"FAIL": 2}))
    first = emitted(capsys)
    publish_scan_metrics(ScanCounters("s3", "222222222222", 5))
    second = emitted(capsys)
    assert first[BUCKETS_SCANNED] == [3.0]
    assert second[BUCKETS_SCANNED] == [5.0]
    assert second["FindingsFail"] == [0.0]
    assert second["Account"] == "222222222222"


def test_the_exported_names_cover_every_status_and_severity() -> None:
    assert set(FINDINGS_BY_STATUS) == {"PASS", "FAIL", "ERROR"}
    assert FAILED_FINDINGS_BY_SEVERITY["INFORMATIONAL"] == "FailedFindingsInformational"
    assert len(ALL_METRIC_NAMES) == 4 + 3 + 5 + len(COMPLETION_METRIC_NAMES)


def test_an_unknown_scanner_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown scanner 'iam'"):
        publish_scan_metrics(ScanCounters("iam", "111111111111", 1))
