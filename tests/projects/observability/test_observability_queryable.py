"""The Glue table, the Athena workgroup and the named queries, on recorded resources."""

from __future__ import annotations

from typing import Any

import pytest

from estate.athena.columns import PARTITION_KEYS, glue_columns, projection_parameters
from estate.athena.queries import NAMED_QUERIES
from estate.programs.observability.queryable import BYTES_SCANNED_CUTOFF
from tests.support.observability_world import Recorded, platform, record


@pytest.fixture(scope="module")
def recorded() -> list[Recorded]:
    return record(platform())


def _one(recorded: list[Recorded], kind: str) -> dict[str, Any]:
    (found,) = [r.inputs for r in recorded if r.type == kind]
    return found


def test_the_table_has_the_schemas_columns_and_projected_partitions(
    recorded: list[Recorded],
) -> None:
    table = _one(recorded, "aws:glue/catalogTable:CatalogTable")
    observed = platform()
    columns = table["storageDescriptor"]["columns"]
    assert [(c["name"], c["type"]) for c in columns] == [(c.name, c.type) for c in glue_columns()]
    assert [k["name"] for k in table["partitionKeys"]] == list(PARTITION_KEYS)
    bucket_url = f"s3://{observed.reports_bucket_name}"
    scanned = sorted({account for _, account in observed.scans} | {observed.account_id})
    assert table["parameters"] == projection_parameters(scanned, bucket_url)
    assert table["storageDescriptor"]["location"] == f"{bucket_url}/findings/"
    assert table["tableType"] == "EXTERNAL_TABLE"
    database = _one(recorded, "aws:glue/catalogDatabase:CatalogDatabase")
    assert table["databaseName"] == database["name"]
    assert not [r for r in recorded if r.type.startswith("aws:glue/crawler")]


def test_the_workgroup_enforces_encrypted_results_in_their_own_bucket_and_a_scan_limit(
    recorded: list[Recorded],
) -> None:
    configuration = _one(recorded, "aws:athena/workgroup:Workgroup")["configuration"]
    results = _one(recorded, "aws:s3/bucket:Bucket")["bucket"]
    assert configuration["enforceWorkgroupConfiguration"] is True
    assert configuration["bytesScannedCutoffPerQuery"] == BYTES_SCANNED_CUTOFF
    output = configuration["resultConfiguration"]
    assert output["outputLocation"] == f"s3://{results}/"
    assert output["encryptionConfiguration"] == {
        "encryptionOption": "SSE_KMS",
        "kmsKeyArn": platform().key_arn,
    }
    assert results != platform().reports_bucket_name


def test_the_results_bucket_is_encrypted_private_and_expires(recorded: list[Recorded]) -> None:
    encryption = _one(
        recorded,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    )
    (rule,) = encryption["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": platform().key_arn,
    }
    block = _one(recorded, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy",
                                           "ignorePublicAcls", "restrictPublicBuckets"))  # fmt: skip
    ownership = _one(recorded, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    lifecycle = _one(recorded, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert lifecycle["rules"][0]["expiration"]["days"] > 0


def test_each_named_query_is_saved_against_this_stacks_table(recorded: list[Recorded]) -> None:
    table = _one(recorded, "aws:glue/catalogTable:CatalogTable")["name"]
    workgroup = _one(recorded, "aws:athena/workgroup:Workgroup")["name"]
    saved = {
        r.inputs["name"]: r.inputs for r in recorded if r.type == "aws:athena/namedQuery:NamedQuery"
    }
    assert set(saved) == {q.name for q in NAMED_QUERIES}
    for query in NAMED_QUERIES:
        assert saved[query.name]["query"] == query.for_table(table)
        assert saved[query.name]["workgroup"] == workgroup
