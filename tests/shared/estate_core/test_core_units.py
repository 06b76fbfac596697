"""core's pure pieces: reading parts, grouping alerts, ASFF, API parameters, metrics."""

from __future__ import annotations

import gzip
import json
from typing import Any

import pytest

from estate_core import config, layout
from estate_core.alerts import TOP_ITEMS, group_alerts
from estate_core.api import ApiError, FindingsQuery, parse_findings_query
from estate_core.config import AccountInfo, ConfigInvalid, decode_accounts, encode_accounts
from estate_core.lifecycle import apply_change, observe
from estate_core.parts import read_part
from estate_core.securityhub_handler import asff_of, finding_of
from estate_core.stream import Transition
from estate_core.telemetry import publish_counts
from estate_runtime.asff import finding_id, to_asff
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


def test_asff_is_the_scanners_mapping_of_the_items_finding_resolved_under_the_same_id() -> None:
    account = AccountInfo("111111111111", "dev", "dev")
    failing_finding = {
        **_finding("data"),
        "remediation": {"text": "Turn versioning on.", "url": "https://docs.aws.amazon.com/x"},
    }
    new = apply_change(None, observe(None, failing_finding, account))  # type: ignore[arg-type]
    passing = {**_finding("data"), "status": "PASS", "observed_at": "2026-01-02T00:00:00Z"}
    resolved = apply_change(new, observe(new, passing, account))  # type: ignore[arg-type]
    assert (new[layout.STATE], resolved[layout.STATE]) == (layout.NEW, layout.RESOLVED)
    # The item gives back the finding it recorded: the export is estate_runtime's mapping.
    recorded = {**failing_finding, "observed_at": new["last_seen"]}
    assert finding_of(new) == recorded
    product = "arn:aws:securityhub:eu-west-1:111111111111:product/111111111111/default"
    failing, fixed = asff_of(new, product_arn=product), asff_of(resolved, product_arn=product)
    assert failing == {
        **to_asff(recorded, product_arn=product),
        "CreatedAt": new["first_seen"],
        "Workflow": {"Status": "NEW"},
    }
    assert failing["Id"] == fixed["Id"] == finding_id(failing_finding)
    assert (failing["Compliance"]["Status"], failing["Workflow"]["Status"]) == ("FAILED", "NEW")
    assert (fixed["Compliance"]["Status"], fixed["Workflow"]["Status"]) == ("PASSED", "RESOLVED")
    assert (fixed["CreatedAt"], fixed["UpdatedAt"]) == (new["first_seen"], resolved["last_seen"])
    assert "Remediation" in failing and "Remediation" not in fixed
    assert failing["Compliance"]["RelatedRequirements"] == failing_finding["controls"]


def test_asff_refuses_an_unknown_workflow_status() -> None:
    with pytest.raises(ValueError, match="workflow_status 'DONE'"):
        to_asff(_finding("data"), workflow_status="DONE")


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
