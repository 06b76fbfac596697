"""core's pure pieces: reading parts, grouping alerts, ASFF, API parameters, metrics."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from estate_core import config, layout
from estate_core.alerts import TOP_ITEMS, group_alerts
from estate_core.api import ApiError, FindingsQuery, parse_findings_query
from estate_core.asff import to_asff
from estate_core.config import AccountInfo, ConfigInvalid, decode_accounts, encode_accounts
from estate_core.parts import read_part
from estate_core.stream import Transition
from estate_core.telemetry import publish_counts
from estate_runtime.findings import SEVERITIES, make_finding

KEY = "findings/scanner=s3/account=111111111111/dt=2026-01-01/s-0000-00000.jsonl.gz"


def _finding(resource: str, account: str = "111111111111") -> dict[str, Any]:
    return make_finding(
        scan_id="s",
        scanner="s3",
        account_id=account,
        region="eu-west-1",
        resource_type="AWS::S3::Bucket",
        resource_id=resource,
        resource_arn=f"arn:aws:s3:::{resource}",
        check_id="s3.versioning",
        status="FAIL",
        severity="MEDIUM",
        message="off",
        evidence={},
        controls=["SecurityHub:S3.14"],
        observed_at="2026-01-01T00:00:00Z",
    )


def _body(*lines: bytes) -> bytes:
    return gzip.compress(b"".join(line + b"\n" for line in lines), mtime=0)


def test_a_part_yields_its_good_lines_and_names_each_bad_one() -> None:
    other = json.dumps(_finding("x", account="222222222222")).encode()
    content = read_part(_body(json.dumps(_finding("a")).encode(), b"[1, 2]", other, b""), key=KEY)
    assert [f["resource_id"] for f in content.findings] == ["a"]
    assert [(b.number, b.reason.split(":")[0]) for b in content.bad_lines] == [
        (2, "finding.(root)"),
        (
            3,
            "finding of scanner s3 account 222222222222 in the part of scanner s3 account 111111111111",
        ),
    ]
    assert content.damage is None and content.quarantined


@pytest.mark.parametrize(
    ("body", "damage"),
    [
        (b"not gzip at all", "corrupt gzip stream"),
        (_body(b"{}")[:-4], "truncated gzip stream"),
        (_body(b"{}") + b"junk", "data after the gzip stream"),
    ],
    ids=["corrupt", "truncated", "trailing"],
)
def test_a_damaged_part_says_how(body: bytes, damage: str) -> None:
    content = read_part(body, key=KEY)
    assert content.damage is not None and content.damage.startswith(damage)


def _transition(severity: str, account: str, scan: str, state: str, n: int) -> Transition:
    item = {
        layout.KEY: f"{n:032x}",
        layout.ACCOUNT: account,
        layout.STATE: state,
        layout.RANK_KEY: layout.rank_key(severity, "s3.x", f"r{n}"),
        "severity": severity,
        "check_id": "s3.x",
        "resource_id": f"r{n}",
        "last_scan_id": scan,
        "message": "m",
    }
    return Transition(str(n), item, None)


def test_alerts_are_one_per_scan_and_account_at_or_above_the_threshold() -> None:
    accounts = {
        "111111111111": AccountInfo("111111111111", "dev", "dev", "HIGH"),
        "222222222222": AccountInfo("222222222222", "prod", "prod", "LOW"),
    }
    transitions = [
        _transition("CRITICAL", "111111111111", "s1", layout.NEW, 1),
        _transition("MEDIUM", "111111111111", "s1", layout.NEW, 2),  # below dev's HIGH
        _transition("HIGH", "111111111111", "s1", layout.REOPENED, 3),
        _transition("HIGH", "111111111111", "s1", layout.RESOLVED, 4),  # no alert for fixes
        _transition("LOW", "222222222222", "s9", layout.NEW, 5),
        *(_transition("LOW", "222222222222", "s9", layout.NEW, 10 + i) for i in range(TOP_ITEMS)),
    ]
    alerts = group_alerts(transitions, accounts)
    assert [(a.account_id, a.scan_id, len(a.transitions)) for a in alerts] == [
        ("111111111111", "s1", 2),
        ("222222222222", "s9", TOP_ITEMS + 1),
    ]
    assert alerts[0].transitions[0].item["severity"] == "CRITICAL"  # worst first
    assert "and 1 more" in alerts[1].message
    assert all(len(a.subject) <= 100 for a in alerts)


def test_asff_marks_a_resolved_item_passed_and_resolved_under_the_same_id() -> None:
    item = {
        layout.KEY: "ab" * 16,
        layout.ACCOUNT: "111111111111",
        layout.STATE: layout.NEW,
        "check_id": "s3.versioning",
        "resource_id": "data",
        "resource_arn": "arn:aws:s3:::data",
        "resource_type": "AWS::S3::Bucket",
        "region": "eu-west-1",
        "severity": "MEDIUM",
        "message": "off",
        "controls": ["SecurityHub:S3.14"],
        "first_seen": "2026-01-01T00:00:00.000000Z",
        "last_seen": "2026-01-02T00:00:00.000000Z",
    }
    product = "arn:aws:securityhub:eu-west-1:111111111111:product/111111111111/default"
    failing = to_asff(item, product_arn=product)
    fixed = to_asff({**item, layout.STATE: layout.RESOLVED}, product_arn=product)
    assert failing["Id"] == fixed["Id"]
    assert (failing["Compliance"]["Status"], failing["Workflow"]["Status"]) == ("FAILED", "NEW")
    assert (fixed["Compliance"]["Status"], fixed["Workflow"]["Status"]) == ("PASSED", "RESOLVED")
    assert failing["Compliance"]["RelatedRequirements"] == ["S3.14"]
    assert failing["Resources"][0]["Type"] == "AwsS3Bucket"


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"severity": "urgent"}, "severity"),
        ({"status": "BROKEN"}, "status"),
        ({"state": "gone"}, "state"),
        ({"account": "12345"}, "account"),
        ({"check_id": "S3 versioning"}, "check_id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_query_parameters_are_400s_naming_the_parameter(
    params: dict[str, str], parameter: str
) -> None:
    with pytest.raises(ApiError) as raised:
        parse_findings_query(params)
    assert (raised.value.status, raised.value.parameter) == (400, parameter)
    assert raised.value.message.startswith(f"{parameter}: ")


def test_a_query_without_account_reads_every_state_partition_and_severity_is_a_bound() -> None:
    query = parse_findings_query({"severity": "HIGH"})
    assert [p[2] for p in query.partitions()] == list(layout.STATES)
    assert layout.rank_bound("HIGH") == "2"
    ranks = sorted(layout.rank_key(s, "c.x", "r") for s in SEVERITIES)
    assert [r < layout.rank_bound("HIGH") for r in ranks] == [True, True, False, False, False]


def test_the_page_token_digest_ignores_limit_and_token_but_not_filters() -> None:
    base = parse_findings_query({"state": "open", "limit": "5"})
    assert (
        base.digest() == parse_findings_query({"state": "open", "limit": "9", "next": "x"}).digest()
    )
    assert base.digest() != parse_findings_query({"state": "new", "limit": "5"}).digest()
    assert isinstance(base, FindingsQuery)


def test_accounts_round_trip_and_bad_values_are_named() -> None:
    accounts = {"111111111111": AccountInfo("111111111111", "dev", "dev", "LOW")}
    assert decode_accounts(encode_accounts(accounts)) == accounts
    with pytest.raises(ConfigInvalid, match="min_severity"):
        decode_accounts('{"1": {"name": "a", "stage": "dev", "min_severity": "URGENT"}}')


def test_core_metrics_are_known_names(capsys: pytest.CaptureFixture[str]) -> None:
    document = publish_counts("ingest", {config.METRIC_FINDINGS_INGESTED: 3})
    assert document[config.METRIC_FINDINGS_INGESTED] == [3.0]
    with pytest.raises(ValueError, match="unknown core metrics"):
        publish_counts("ingest", {"Invented": 1})
    assert '"FindingsIngested"' in capsys.readouterr().out
