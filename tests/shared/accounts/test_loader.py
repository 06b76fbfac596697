"""accounts/ loads into typed values, or fails naming file, field, value and fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from estate.accounts import AccountsError, Estate, Stage, load_estate


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture drift: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def _problems(directory: Path) -> list[str]:
    with pytest.raises(AccountsError) as caught:
        load_estate(directory)
    return [str(p) for p in caught.value.problems]


def test_shipped_accounts_load_in_promotion_order(estate: Estate) -> None:
    assert list(estate.accounts) == ["dev", "staging", "prod"]
    assert [a.stage for a in estate] == [Stage.DEV, Stage.STAGING, Stage.PROD]
    assert len({a.account_id for a in estate}) == 3
    assert all(a.primary_region == a.regions[0] for a in estate)


def test_tag_rules_payload_is_what_scanners_read(estate: Estate) -> None:
    payload = estate.account("prod").tag_rules_payload()
    owner = next(rule for rule in payload if rule["key"] == "Owner")
    assert owner == {"key": "Owner", "values": None, "pattern": owner["pattern"]}
    assert re.fullmatch(owner["pattern"], "alice@acme.example")
    environment = next(rule for rule in payload if rule["key"] == "Environment")
    assert environment["values"] == ["prod"] and environment["pattern"] is None


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            "dev.yaml",
            '"111111111111"',
            '"11111111111"',
            r"dev\.yaml: account_id: '11111111111': is not a 12-digit",
        ),
        ("dev.yaml", '"111111111111"', "111111111111", r"dev\.yaml: account_id: .*must be quoted"),
        (
            "dev.yaml",
            "us-east-1]",
            "us-east-9]",
            r"dev\.yaml: regions: .*'us-east-9' is not an AWS region",
        ),
        (
            "dev.yaml",
            '"^[0-9]{4}$"',
            '"^[0-9{4}$"',
            r"dev\.yaml: required_tags\[2\]\.pattern: .*not a valid regular expression",
        ),
        (
            "dev.yaml",
            "stage: dev",
            "stage: dev\ncolour: blue",
            r"dev\.yaml: colour: is not a known key",
        ),
        (
            "dev.yaml",
            "log_retention_days: 14",
            "log_retention_days: 13",
            r"dev\.yaml: sizes\.log_retention_days: 13: is not a CloudWatch",
        ),
        ("dev.yaml", "stage: dev", "stage: qa", r"dev\.yaml: stage: 'qa'"),
        (
            "dev.yaml",
            "stage: dev",
            "stage: dev\nstage: prod",
            r"dev\.yaml: line \d+: key 'stage' appears twice",
        ),
        (
            "staging.yaml",
            '"222222222222"',
            '"111111111111"',
            r"staging\.yaml: account_id: '111111111111' is also the id of dev\.yaml",
        ),
        (
            "organization.yaml",
            "[dev, staging, prod]",
            "[dev, qa, staging, prod]",
            r"organization\.yaml: promotion: 'qa' has no file qa\.yaml",
        ),
        (
            "prod.yaml",
            "timezone: Europe/Dublin",
            "timezone: Mars/Olympus",
            r"prod\.yaml: scan\.timezone: .*IANA",
        ),
        (
            "prod.yaml",
            'schedule: "cron(0 2 * * ? *)"',
            'schedule: "every day"',
            r"prod\.yaml: scan\.schedule: 'every day' does not match",
        ),
        (
            "organization.yaml",
            "ManagedBy: pulumi",
            "aws:owner: me",
            r"organization\.yaml: tags: .*AWS reserves 'aws:'",
        ),
        (
            "dev.yaml",
            "- key: Owner",
            "- key: AWS:Owner",
            r"dev\.yaml: required_tags\[0\]\.key: .*AWS reserves 'aws:'",
        ),
    ],
)
def test_a_bad_file_is_rejected_with_a_line_naming_file_field_and_fix(
    accounts_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    _edit(accounts_copy / file, old, new)
    problems = _problems(accounts_copy)
    assert any(re.search(expected, line) for line in problems), problems
    assert all("\n" not in line for line in problems)


def test_every_problem_is_reported_at_once(accounts_copy: Path) -> None:
    _edit(accounts_copy / "dev.yaml", '"111111111111"', '"1"')
    _edit(accounts_copy / "prod.yaml", "us-east-1]", "mars-1]")
    problems = _problems(accounts_copy)
    assert any("dev.yaml: account_id" in p for p in problems)
    assert any("prod.yaml: regions" in p for p in problems)


def test_missing_organization_file_is_named(accounts_copy: Path) -> None:
    (accounts_copy / "organization.yaml").unlink()
    assert any("organization.yaml: is missing" in p for p in _problems(accounts_copy))


def test_a_role_of_another_account_is_refused(accounts_copy: Path) -> None:
    _edit(
        accounts_copy / "dev.yaml",
        "stage: dev",
        'stage: dev\nassume_role_arn: "arn:aws:iam::222222222222:role/x"',
    )
    assert any("names another account" in p for p in _problems(accounts_copy))
