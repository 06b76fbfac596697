"""The tag checker's registry keeps the S3 analyzer's rules: one module per check, a `CHECK`
entry beside a pure judge, and a new module reaches the scan, the counts and the README table
with no other file touched. Expected ids and counts come from the registry, never a list."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import estate_scanners.tags.checks as checks_package
from estate.check_docs import render
from estate_runtime.aws import TargetSession, client_config, target_session
from estate_runtime.findings import SEVERITIES, load_schema
from estate_runtime.report_writer import MemorySink
from estate_scanners.check_model import ACCOUNT_RESOURCE
from estate_scanners.scan_result import ScanResult
from estate_scanners.tags.check_model import InstanceCheck, InstanceSubject, TagRuleSet
from estate_scanners.tags.checks import all_checks, severity_table
from estate_scanners.tags.facts import Instance
from estate_scanners.tags.judging import judge_instance
from estate_scanners.tags.rules import TagRule
from estate_scanners.tags.scan import scan_tags
from tests.support.throwaway_check import joined_check_module

CHECK_ID = re.compile(r"^ec2\.[a-z][a-z0-9_]*$")
CONTROL = re.compile(r"^SecurityHub:EC2\.[0-9]+$")
# What a tag check module may import: nothing that can reach AWS.
PURE_ROOTS = (
    "__future__",
    "estate_scanners.check_model",
    "estate_scanners.tags.check_model",
    "estate_scanners.tags.evaluate",
    "estate_scanners.tags.facts",
    "estate_scanners.tags.rules",
)


def check_modules() -> list[Path]:
    return sorted(p for p in Path(checks_package.__file__).parent.glob("[!_]*.py"))


@pytest.mark.parametrize("check", all_checks(), ids=lambda c: c.check_id)
def test_each_check_keeps_the_registry_rules(check: InstanceCheck) -> None:
    assert CHECK_ID.match(check.check_id)
    assert check.severity in SEVERITIES
    assert all(CONTROL.match(control) for control in check.controls)
    assert check.title and check.severity_reason.endswith(".")
    assert check.remediation.text.endswith(".")
    assert check.resource_type in load_schema()["properties"]["resource_type"]["enum"]
    module = importlib.import_module(f"{checks_package.__name__}.{check.name}")
    assert module.CHECK is check
    assert check.judge.__name__ == check.name
    assert inspect.getmodule(check.judge) is module


@pytest.mark.parametrize("path", check_modules(), ids=lambda p: p.name)
def test_check_modules_are_pure(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    imported += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert all(name.startswith(PURE_ROOTS) for name in imported), imported


def test_every_check_is_in_the_readme_table() -> None:
    table = render()
    for row in severity_table():
        assert f"| `{row['check_id']}` | {row['severity']} |" in table


def test_a_crashing_judge_is_an_error_for_that_instance_only() -> None:
    def crashes(subject: InstanceSubject) -> Any:
        raise RuntimeError("bug")

    (check,) = all_checks()[:1]
    broken = InstanceCheck(
        check_id=check.check_id,
        title=check.title,
        severity=check.severity,
        severity_reason=check.severity_reason,
        controls=check.controls,
        remediation=check.remediation,
        judge=crashes,
    )
    subject = InstanceSubject(Instance("eu-west-1", "i-1", "1", {}), TagRuleSet())
    verdict = judge_instance(broken, subject)
    assert verdict.status == "ERROR"
    assert verdict.evidence["errors"]["check"]["code"] == "CheckCrashed"


# --- "Adding a check is one module" -------------------------------------------------------

THROWAWAY = '''"""ec2.throwaway_probe: a check written by a test, to prove one module is all a check takes."""

from estate_scanners.tags.check_model import InstanceCheck, InstanceSubject, Remediation, Verdict, passed


def throwaway_probe(subject: InstanceSubject) -> Verdict:
    """PASS, naming the instance."""
    return passed(f"Probe saw {subject.instance.instance_id}.")


CHECK = InstanceCheck(
    check_id="ec2.throwaway_probe",
    title="The probe ran",
    severity="LOW",
    severity_reason="A test's probe.",
    controls=(),
    remediation=Remediation("Nothing to do.", "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/"),
    judge=throwaway_probe,
)
'''


@pytest.fixture
def throwaway_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder holding one new check module, joined to the checks package's search path."""
    with joined_check_module(
        tmp_path,
        monkeypatch,
        package=checks_package,
        source=THROWAWAY,
        forget_registry=all_checks.cache_clear,
    ) as folder:
        yield folder


def run_scan(session: TargetSession, rules: tuple[TagRule, ...]) -> tuple[ScanResult, MemorySink]:
    """One run over eu-west-1 with ``rules``; its result and what it wrote."""
    sink = MemorySink()
    result = scan_tags(
        session,
        account_id="123456789012",
        regions=("eu-west-1",),
        tag_rules=TagRuleSet(rules),
        scan_id="scan-1",
        scan_started=datetime(2025, 1, 1, tzinfo=UTC),
        sink=sink,
        refetch_pause_s=0.0,
    )
    return result, sink


@pytest.mark.usefixtures("mocked_aws", "throwaway_check")
def test_a_new_module_is_judged_counted_and_listed(
    launch: Callable[..., list[str]], dev_rules: tuple[TagRule, ...]
) -> None:
    ids = {check.check_id for check in all_checks()}
    assert "ec2.throwaway_probe" in ids
    assert "| `ec2.throwaway_probe` | LOW | — | The probe ran | A test's probe. |" in render()

    session = target_session(region="eu-west-1", config=client_config(max_attempts=1))
    instances = launch(session.client("ec2", "eu-west-1"), count=3)
    result, sink = run_scan(session, dev_rules)

    findings = sink.findings()
    per_instance = Counter((f["resource_id"], f["check_id"]) for f in findings)
    assert per_instance == Counter({(i, c): 1 for i in instances for c in ids})
    assert result.findings == len(instances) * len(ids) == sum(result.findings_by_status.values())
    assert result.resources_scanned == len(instances)
    probe = [f for f in findings if f["check_id"] == "ec2.throwaway_probe"]
    assert {f["message"] for f in probe} == {f"Probe saw {i}." for i in instances}


@pytest.mark.usefixtures("mocked_aws", "throwaway_check")
def test_an_unreadable_region_is_one_error_per_check_never_a_fail(
    launch: Callable[..., list[str]],
    dev_rules: tuple[TagRule, ...],
    inject_faults: Callable[..., Any],
) -> None:
    session = target_session(region="eu-west-1", config=client_config(max_attempts=1))
    ec2 = session.client("ec2", "eu-west-1")
    launch(ec2, count=2)
    inject_faults(ec2, "DescribeInstances", code="UnauthorizedOperation", times=None, status=403)
    result, sink = run_scan(session, dev_rules)

    findings = sink.findings()
    assert Counter(f["check_id"] for f in findings) == {c.check_id: 1 for c in all_checks()}
    assert {(f["status"], f["resource_type"], f["resource_id"]) for f in findings} == {
        ("ERROR", ACCOUNT_RESOURCE, "eu-west-1")
    }
    assert result.findings_by_status == {"ERROR": len(all_checks())}
    assert set(result.units_in_error) == {"eu-west-1"}
    assert result.fetch_errors == 1
    assert result.resources_scanned == 0
