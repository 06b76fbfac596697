"""Meta-lint of the check registry: every entry keeps the rules a check must keep."""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import pkgutil
import re
import sys
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

import boto3
import pytest

import estate_scanners.s3.checks as checks_package
from estate.check_docs import render
from estate.cli.main import main
from estate_runtime.findings import SEVERITIES, load_schema
from estate_scanners.s3.check_model import (
    AccountCheck,
    BucketCheck,
    BucketSubject,
    FactCheck,
    TagRuleSet,
)
from estate_scanners.s3.checks import all_checks, bucket_checks, needed_facts, severity_table
from estate_scanners.s3.facts import AccountFacts, BucketFacts, Fact, NotConfigured
from estate_scanners.s3.judging import judge_account, judge_bucket
from estate_scanners.s3.sources import (
    GET_BUCKET_LOCATION,
    LIST_BUCKETS,
    SOURCES,
    operations_for,
    required_iam_actions,
)
from tests.support.throwaway_check import joined_check_module

CHECK_ID = re.compile(r"^s3\.[a-z][a-z0-9_]*$")
CONTROL = re.compile(r"^SecurityHub:S3\.[0-9]+$")
CHECKS_DIR = Path(checks_package.__file__).parent
# What check modules may import: a few standard modules, the analyzer's pure modules and the
# tag checker's pure rule evaluation. Nothing that can reach the network.
ALLOWED_IMPORT_ROOTS = (
    "__future__",
    "typing",
    "collections",
    "dataclasses",
    "functools",
    "importlib",
    "pkgutil",
    "re",
    "estate_scanners.s3",
    "estate_scanners.check_model",
    "estate_runtime.findings",
    "estate_scanners.tags.rules",
    "estate_scanners.tags.evaluate",
)
IMPURE_MODULES = ("estate_scanners.s3.collector", "estate_scanners.s3.analyzer")

# The checks issues asked for by name: the registry holds at least these (it may grow).
CHECK_IDS_ASKED_FOR = {
    "s3.account_public_access_block",
    "s3.bucket_public_access_block",
    "s3.public_read",
    "s3.public_write",
    "s3.tls_only",
    "s3.cross_account_access",
    "s3.access_logging",
    "s3.versioning",
    "s3.lifecycle",
    "s3.acls_disabled",
    "s3.kms_encryption",
    "s3.default_encryption",
    "s3.event_notifications",
    "s3.object_lock",
    "s3.replication",
    "s3.required_tags",
    # issue 12
    "s3.access_point_public_access_block",
    "s3.mfa_delete",
    "s3.multi_region_access_point_public_access_block",
    "s3.data_events_write",
    "s3.data_events_read",
}


def imports_of(path: Path) -> list[str]:
    """Every module a source file imports (absolute names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    return names + [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]


def check_modules() -> list[str]:
    return sorted(
        m.name for m in pkgutil.iter_modules(checks_package.__path__) if not m.name.startswith("_")
    )


def test_the_registry_is_the_check_modules_and_holds_every_check_asked_for() -> None:
    ids = {check.check_id for check in all_checks()}
    assert ids == {f"s3.{name}" for name in check_modules()}
    assert ids >= CHECK_IDS_ASKED_FOR


@pytest.mark.parametrize("check", all_checks(), ids=lambda c: c.check_id)
def test_each_check_keeps_the_registry_rules(check: FactCheck) -> None:
    assert CHECK_ID.match(check.check_id)
    assert check.severity in SEVERITIES
    assert all(CONTROL.match(control) for control in check.controls)
    assert check.needs and check.needs <= set(Fact)
    assert check.title and check.severity_reason.endswith(".")
    assert check.remediation.text.endswith(".") and "\n" not in check.remediation.text
    assert check.remediation.url.startswith("https://docs.aws.amazon.com/")
    assert check.resource_type in load_schema()["properties"]["resource_type"]["enum"]
    if isinstance(check, AccountCheck):
        assert all(fact.is_account_fact for fact in check.needs)
    else:
        assert isinstance(check, BucketCheck)


@pytest.mark.parametrize("name", check_modules())
def test_module_name_function_name_and_check_id_agree(name: str) -> None:
    module = importlib.import_module(f"estate_scanners.s3.checks.{name}")
    check: FactCheck = module.CHECK

    assert check.check_id == f"s3.{name}"
    assert check.name == name
    assert check.judge.__name__ == name  # type: ignore[attr-defined]
    assert inspect.getmodule(check.judge) is module  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", sorted(CHECKS_DIR.glob("*.py")), ids=lambda p: p.name)
def test_checks_are_pure_they_import_no_aws_client_library(path: Path) -> None:
    for name in imports_of(path):
        assert name.startswith(ALLOWED_IMPORT_ROOTS), f"{path.name} imports {name}"
        assert not name.startswith(IMPURE_MODULES), f"{path.name} imports {name}"


PURE_MODULES = [
    "facts",
    "policy",
    "wildcards",
    "conditions",
    "public_access",
    "cross_account",
    "transport",
    "check_model",
    "judging",
    "parsers",
]


@pytest.mark.parametrize("name", PURE_MODULES)
def test_the_modules_checks_lean_on_are_free_of_aws_clients(name: str) -> None:
    spec = find_spec(f"estate_scanners.s3.{name}")
    assert spec is not None and spec.origin is not None

    for imported in imports_of(Path(spec.origin)):
        assert not imported.startswith(("boto3", "botocore", "estate_runtime.aws")), imported
        assert not imported.startswith(IMPURE_MODULES), imported


def test_lambda_code_imports_only_what_lambda_ships() -> None:
    # Hard rule: the standard library, boto3/botocore, Powertools and our own runtime only.
    allowed = {"boto3", "botocore", "aws_lambda_powertools", "estate_runtime", "estate_scanners"}
    package = Path(checks_package.__file__).parents[1]
    sources = [*package.rglob("*.py"), package.parent / "s3_analyzer_handler.py"]

    for source in sources:
        for imported in imports_of(source):
            root = imported.partition(".")[0]
            assert root in allowed or root in sys.stdlib_module_names, f"{source.name}: {imported}"


def test_a_check_reading_a_fact_it_did_not_declare_errors_instead_of_guessing() -> None:
    # Every bucket fact NotConfigured except those a check declares: if a judge read an
    # undeclared fact it would meet NOT_FETCHED and say ERROR; none does.
    for check in bucket_checks():
        facts = BucketFacts("b", "us-east-1", "arn:aws:s3:::b").with_facts(
            {fact: NotConfigured("X") for fact in check.needs if not fact.is_account_fact}
        )
        account = AccountFacts(
            "123456789012",
            "us-east-1",
            public_access_block=NotConfigured("NoSuchPublicAccessBlockConfiguration"),
        )
        verdict = judge_bucket(check, BucketSubject(facts, account, TagRuleSet()))
        assert verdict.status != "ERROR", (check.check_id, verdict)


def test_account_checks_judge_the_account_alone() -> None:
    # Every account fact NotConfigured: each account check decides from those alone.
    account = AccountFacts("123456789012", "us-east-1").with_facts(
        {fact: NotConfigured("X") for fact in Fact if fact.is_account_fact}
    )
    for check in all_checks():
        if isinstance(check, AccountCheck):
            assert judge_account(check, account).status != "ERROR", check.check_id


def test_every_needed_fact_has_a_source_and_the_fetch_set_is_derived_from_needs() -> None:
    assert needed_facts() == set(Fact)
    assert set(SOURCES) == set(Fact)
    assert operations_for(needed_facts()) == {LIST_BUCKETS, GET_BUCKET_LOCATION} | {
        operation for source in SOURCES.values() for operation in source.operations
    }


def test_required_iam_actions_are_real_read_only_actions() -> None:
    spec = find_spec("parliament")
    assert spec is not None and spec.submodule_search_locations
    catalogue = json.loads(
        (Path(next(iter(spec.submodule_search_locations))) / "iam_definition.json").read_text()
    )
    levels = {
        f"{service['prefix']}:{privilege['privilege']}": privilege["access_level"]
        for service in catalogue
        if service["prefix"] in {"s3", "cloudtrail"}
        for privilege in service["privileges"]
    }

    for action in required_iam_actions():
        assert levels.get(action) in {"Read", "List"}, action


def test_the_iam_action_table_holds_the_names_that_differ_from_the_operation() -> None:
    actions = {
        source.operation.name + "@" + source.operation.service: source.operation.iam_action
        for source in SOURCES.values()
    }

    assert actions["GetBucketEncryption@s3"] == "s3:GetEncryptionConfiguration"
    assert actions["GetBucketLifecycleConfiguration@s3"] == "s3:GetLifecycleConfiguration"
    assert actions["GetPublicAccessBlock@s3"] == "s3:GetBucketPublicAccessBlock"
    assert actions["GetPublicAccessBlock@s3control"] == "s3:GetAccountPublicAccessBlock"
    assert actions["GetBucketNotificationConfiguration@s3"] == "s3:GetBucketNotification"
    assert actions["GetObjectLockConfiguration@s3"] == "s3:GetBucketObjectLockConfiguration"
    assert actions["GetBucketReplication@s3"] == "s3:GetReplicationConfiguration"
    assert LIST_BUCKETS.iam_action == "s3:ListAllMyBuckets"


def test_the_severity_table_has_one_row_per_check_for_the_readme() -> None:
    rows = severity_table()

    assert [row["check_id"] for row in rows] == sorted(c.check_id for c in all_checks())
    assert {row["severity"] for row in rows} <= set(SEVERITIES)
    by_id = {row["check_id"]: row for row in rows}
    assert by_id["s3.public_read"]["severity"] == "CRITICAL"
    assert by_id["s3.object_lock"]["severity"] == "INFORMATIONAL"
    assert by_id["s3.event_notifications"]["severity"] == "LOW"
    assert by_id["s3.replication"]["severity"] == "LOW"


def test_the_severity_table_shows_a_conditional_control_with_its_condition() -> None:
    lifecycle_row = next(row for row in severity_table() if row["check_id"] == "s3.lifecycle")

    assert lifecycle_row["controls"] == ["SecurityHub:S3.13", "SecurityHub:S3.10 (versioned)"]
    assert lifecycle_row["conditional_controls"] == {"SecurityHub:S3.10": "versioned"}


# --- "Adding a check is one module" -------------------------------------------------------

THROWAWAY = '''"""s3.throwaway_probe: a check written by a test, to prove one module is all a check takes."""

from estate_scanners.s3.check_model import BucketCheck, BucketSubject, Remediation, passed
from estate_scanners.s3.facts import Fact


def throwaway_probe(subject: BucketSubject) -> object:
    """PASS, naming the bucket."""
    return passed(f"Probe saw {subject.bucket.name}.")


CHECK = BucketCheck(
    check_id="s3.throwaway_probe",
    title="The probe ran",
    severity="LOW",
    severity_reason="A test's probe.",
    controls=(),
    remediation=Remediation("Nothing to do.", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"),
    needs=frozenset({Fact.OBJECT_LOCK}),
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


def test_a_new_module_is_in_the_registry_the_readme_table_and_the_iam_actions(
    throwaway_check: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "s3.throwaway_probe" in {check.check_id for check in all_checks()}
    assert "| `s3.throwaway_probe` | LOW | — | The probe ran | A test's probe. |" in render()

    # The IAM actions follow the registry: with the new module as the only check, the
    # scanner needs listing, locating, and exactly the one action its fact's source names.
    monkeypatch.setattr(checks_package, "__path__", [str(throwaway_check)])
    all_checks.cache_clear()
    assert [check.check_id for check in all_checks()] == ["s3.throwaway_probe"]
    assert required_iam_actions() == {
        LIST_BUCKETS.iam_action,
        GET_BUCKET_LOCATION.iam_action,
        SOURCES[Fact.OBJECT_LOCK].operation.iam_action,
    }


@pytest.mark.usefixtures("mocked_aws", "throwaway_check")
def test_a_new_module_reaches_the_cli_output(capsys: pytest.CaptureFixture[str]) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="probed")

    assert main(["scan", "s3", "--format", "jsonl"]) == 0

    findings = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    probe = [f for f in findings if f["check_id"] == "s3.throwaway_probe"]
    assert [(f["resource_id"], f["status"], f["message"]) for f in probe] == [
        ("probed", "PASS", "Probe saw probed.")
    ]
