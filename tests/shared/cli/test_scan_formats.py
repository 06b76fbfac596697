"""`estate scan`'s OCSF, ASFF and CSV output, on stdout and in files, on moto.

Each scan also writes JSON Lines (a file, a folder's parts, or stdout): those findings are
the reference the rendered output must carry one for one. OCSF is validated against
py-ocsf-models, ASFF against Security Hub's model and imported into moto's Security Hub
with BatchImportFindings, CSV parsed back to the very findings.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from estate.cli.main import main
from estate.cli.scan_cmd import FINDINGS_FORMATS
from estate.cli.scan_options import FORMAT_SUFFIXES, GZIP_SUFFIX, format_of, suffix_of
from estate.cli.scan_report import RENDERED_AT_END, render_findings
from estate_runtime.asff import COMPLIANCE_STATUS, batches, default_product_arn, finding_id
from estate_runtime.csv_findings import columns, parse_csv
from estate_runtime.ocsf import COMPLIANCE_STATUS_IDS
from tests.support.finding_formats import assert_valid_asff, assert_valid_ocsf
from tests.support.s3_world import ACCOUNT_ID
from tests.support.scan_cli_world import REGION, make_buckets, make_instances

Finding = dict[str, Any]


def read_text(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.name.endswith(GZIP_SUFFIX) else data).decode("utf-8")


def json_lines(text: str) -> list[Finding]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def findings_in_parts(folder: Path, scanner: str, scan_id: str) -> list[Finding]:
    """Every finding of the scan's report parts in the folder (there must be some)."""
    pattern = f"findings/scanner={scanner}/account=*/dt=*/{scan_id}-*.jsonl.gz"
    parts = sorted(folder.glob(pattern))
    assert parts, pattern
    return [finding for part in parts for finding in json_lines(read_text(part))]


def assert_carries(
    format_name: str, text: str, reference: list[Finding], *, home_region: str = REGION
) -> None:
    """`text` is `reference` rendered in the format: valid for its authority, one for one
    (matched by id: a folder's parts need not list findings in the order they were seen)."""
    assert reference, "the scan found nothing to compare"
    if format_name == "csv":
        assert text.splitlines()[0].split(",") == columns()
        # One row per finding, evidence (and every nested value) back from its JSON.
        assert sorted(parse_csv(text), key=finding_id) == sorted(reference, key=finding_id)
        return
    documents = json.loads(text)
    assert isinstance(documents, list) and len(documents) == len(reference)
    if format_name == "ocsf":
        by_uid = {f"{f['scan_id']}/{f['check_id']}/{f['resource_arn']}": f for f in reference}
        for event in documents:
            assert_valid_ocsf(event)
            finding = by_uid.pop(event["metadata"]["uid"])
            assert event["compliance"]["status_id"] == COMPLIANCE_STATUS_IDS[finding["status"]][0]
            assert event["resources"][0]["data"]["evidence"] == finding["evidence"]
        return
    assert format_name == "asff"
    by_id = {finding_id(f): f for f in reference}
    for document in documents:
        assert_valid_asff(document)
        finding = by_id.pop(document["Id"])
        assert document["AwsAccountId"] == finding["account_id"] == ACCOUNT_ID
        # The scanned account's own product in the session's region, where it is imported.
        assert document["ProductArn"] == default_product_arn(home_region, ACCOUNT_ID)
        assert document["GeneratorId"] == f"estate/{finding['check_id']}"
        assert document["Compliance"]["Status"] == COMPLIANCE_STATUS[finding["status"]]
    assert_imported_by_security_hub(documents, home_region)


def assert_imported_by_security_hub(documents: list[Finding], region: str) -> None:
    """BatchImportFindings (moto's, behind boto3's parameter validation) takes every one."""
    hub = boto3.client("securityhub", region_name=region)
    for batch in batches(documents):
        answer = hub.batch_import_findings(Findings=list(batch))
        assert (answer["FailedCount"], answer["SuccessCount"]) == (0, len(batch))
    stored = hub.get_paginator("get_findings").paginate().build_full_result()["Findings"]
    assert {f["Id"] for f in stored} == {d["Id"] for d in documents}


def scan(*arguments: str) -> None:
    assert main(["scan", *arguments]) == 0


def test_every_findings_format_has_one_suffix_and_every_one_but_jsonl_a_renderer() -> None:
    assert sorted(FORMAT_SUFFIXES.values()) == sorted(FINDINGS_FORMATS)
    assert set(FINDINGS_FORMATS) - {"jsonl"} == RENDERED_AT_END
    for name in RENDERED_AT_END:
        assert render_findings(name, [], asff_product_arn="unused")
    with pytest.raises(ValueError, match="jsonl"):
        render_findings("jsonl", [], asff_product_arn="unused")
    for suffix, name in FORMAT_SUFFIXES.items():
        assert suffix_of(name) == suffix
        assert format_of(f"findings{suffix}") == format_of(f"f{suffix}{GZIP_SUFFIX}") == name
    assert format_of("findings.json") is None and format_of("findings.txt") is None
    assert format_of(".csv") is None  # a suffix alone is no name


@pytest.mark.usefixtures("mocked_aws")
@pytest.mark.parametrize("format_name", sorted(RENDERED_AT_END))
def test_each_format_on_stdout_carries_every_finding_of_the_scan(
    format_name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_buckets()
    reference = tmp_path / "findings.jsonl"

    scan("s3", "--required-tag", "Owner", "--format", format_name, "--output", str(reference))

    assert_carries(format_name, capsys.readouterr().out, json_lines(reference.read_text()))


@pytest.mark.usefixtures("mocked_aws")
@pytest.mark.parametrize(
    ("name", "flags", "format_name", "home_region"),
    [
        ("findings.ocsf.json", [], "ocsf", REGION),
        ("findings.asff.json.gz", [], "asff", REGION),
        ("findings.csv", [], "csv", REGION),
        (
            "findings.json",
            ["--output-format", "asff", "--region", "eu-west-1"],
            "asff",
            "eu-west-1",
        ),
    ],
)
def test_a_file_output_takes_the_format_its_name_or_output_format_says(
    *,
    name: str,
    flags: list[str],
    format_name: str,
    home_region: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    make_buckets()
    output = tmp_path / name

    scan("s3", "--format", "jsonl", "--output", str(output), *flags)

    printed = json_lines(capsys.readouterr().out)
    assert_carries(format_name, read_text(output), printed, home_region=home_region)
    assert [path.name for path in tmp_path.iterdir()] == [name]  # no temporary file is left


@pytest.mark.usefixtures("mocked_aws")
def test_a_folder_gets_its_report_parts_and_one_file_of_the_scan_in_the_output_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_buckets()
    folder = tmp_path / "new"

    scan("s3", "--output", f"{folder}/", "--output-format", "csv", "--scan-id", "nightly-1")

    printed = json_lines(capsys.readouterr().out)  # piped: JSON Lines
    from_parts = findings_in_parts(folder, "s3", "nightly-1")
    assert sorted(from_parts, key=finding_id) == sorted(printed, key=finding_id)
    assert sorted(path.name for path in folder.iterdir()) == ["findings", "s3-nightly-1.csv"]
    assert_carries("csv", (folder / "s3-nightly-1.csv").read_text(), printed)


@pytest.mark.usefixtures("mocked_aws")
def test_the_tag_checker_renders_the_same_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_instances()

    scan(
        *("tags", "--required-tag", "Owner", "--regions", REGION, "--scan-id", "tags-1"),
        *("--format", "ocsf", "--output", f"{tmp_path}/", "--output-format", "asff"),
    )

    reference = findings_in_parts(tmp_path, "tags", "tags-1")
    assert sorted(f["status"] for f in reference) == ["FAIL", "PASS"]
    assert_carries("ocsf", capsys.readouterr().out, reference)
    assert_carries("asff", (tmp_path / "tags-tags-1.asff.json").read_text(), reference)
