"""Every metric name the scanners' Lambda code emits is in ``estate_runtime.metrics``'s
registry (``ALL_METRIC_NAMES``), which observability's alarms and dashboards are checked
against; and the registry holds nothing nobody emits.

The emitters are found in the source (every call of Powertools' ``add_metric`` under
``estate_runtime`` and ``estate_scanners``), then run: their EMF documents say which names
they publish. A new emitting module fails the first test until it is run here too.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import estate_runtime
import estate_scanners
from estate_runtime.findings import SEVERITIES, STATUSES
from estate_runtime.metrics import ALL_METRIC_NAMES, ScanCounters, publish_scan_metrics
from estate_scanners.planner_handler import publish_completion

PACKAGES = (estate_runtime, estate_scanners)
# The modules that publish metrics, each run below.
EMITTERS = {"estate_runtime/metrics.py", "estate_scanners/planner_handler.py"}


def _emitting_modules() -> set[str]:
    found: set[str] = set()
    for package in PACKAGES:
        root = Path(package.__file__ or "").parent
        for path in root.rglob("*.py"):
            tree = ast.parse(path.read_text())
            if any(
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_metric"
                for node in ast.walk(tree)
            ):
                found.add(path.relative_to(root.parent).as_posix())
    return found


def _names(capsys: pytest.CaptureFixture[str]) -> set[str]:
    names: set[str] = set()
    for line in capsys.readouterr().out.splitlines():
        if line.strip():
            document = json.loads(line)
            for directive in document["_aws"]["CloudWatchMetrics"]:
                names |= {metric["Name"] for metric in directive["Metrics"]}
    return names


def test_every_module_that_publishes_metrics_is_run_here() -> None:
    assert _emitting_modules() == EMITTERS


def test_every_emitted_metric_is_registered_and_every_registered_one_emitted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    everything = ScanCounters(
        scanner="s3",
        account_id="111111111111",
        resources_scanned=1,
        findings_by_status=dict.fromkeys(STATUSES, 1),
        failed_by_severity=dict.fromkeys(SEVERITIES, 1),
        errors=1,
        elapsed_ms=1.0,
    )
    publish_scan_metrics(everything)
    publish_scan_metrics(ScanCounters("tags", "111111111111", 1))
    publish_completion("s3", "111111111111", failed_shards=1)

    emitted = _names(capsys)

    assert emitted - ALL_METRIC_NAMES == set()
    assert ALL_METRIC_NAMES - emitted == set()
