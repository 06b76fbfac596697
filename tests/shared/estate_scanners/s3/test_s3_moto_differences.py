"""Where moto differs from AWS, on purpose: the analyzer gives the right answer under both.

Each test first pins the moto behaviour (so a moto upgrade that changes it is noticed),
then shows the analyzer's verdict for it and for the AWS behaviour.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from tests.support.s3_world import S3World


def test_new_buckets_have_no_default_encryption_in_moto_yet_sse_s3_passes_default_encryption(
    world: S3World,
) -> None:
    world.bucket("moto-default")
    world.bucket("aws-default")
    # AWS applies SSE-S3 to every new bucket; moto applies nothing. Model AWS explicitly.
    world.admin().put_bucket_encryption(
        Bucket="aws-default",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )

    world.scan()

    assert world.finding("moto-default", "s3.default_encryption")["status"] == "FAIL"
    assert world.finding("aws-default", "s3.default_encryption")["status"] == "PASS"
    kms = world.finding("aws-default", "s3.kms_encryption")
    assert kms["status"] == "FAIL"
    assert kms["evidence"]["algorithms"] == ["AES256"]


def test_missing_ownership_controls_fail_acls_disabled_and_the_evidence_says_why(
    world: S3World,
) -> None:
    world.bucket("no-controls")

    world.scan()

    finding = world.finding("no-controls", "s3.acls_disabled")
    assert finding["status"] == "FAIL"
    assert finding["evidence"]["not_configured_code"] == "OwnershipControlsNotFoundError"
    assert "BucketOwnerEnforced" in finding["evidence"]["note"]
    assert "emulator" in finding["evidence"]["note"]


def test_public_access_blocks_are_not_enforced_on_writes_and_the_verdict_does_not_rely_on_it(
    world: S3World, statement: Callable[..., dict[str, Any]]
) -> None:
    everything_on = dict.fromkeys(
        [
            "block_public_acls",
            "ignore_public_acls",
            "block_public_policy",
            "restrict_public_buckets",
        ],
        True,
    )
    for name in ("fully-blocked", "new-only-blocked"):
        world.bucket(name)
    world.bucket_block("fully-blocked", **everything_on)
    world.bucket_block("new-only-blocked", block_public_acls=True, block_public_policy=True)
    for name in ("fully-blocked", "new-only-blocked"):
        # AWS would refuse both writes; moto stores them. Either way the stored state is judged.
        world.grant_public(name, "READ")
        world.policy(name, statement(name, Action="s3:GetObject"))
        assert any(
            g["Grantee"].get("URI") for g in world.admin().get_bucket_acl(Bucket=name)["Grants"]
        )

    world.scan()

    assert world.finding("fully-blocked", "s3.public_read")["status"] == "PASS"
    # BlockPublicAcls/BlockPublicPolicy only stop *new* public grants: what is stored stays public.
    still_public = world.finding("new-only-blocked", "s3.public_read")
    assert still_public["status"] == "FAIL"
    assert still_public["message"] == (
        "Bucket new-only-blocked is publicly readable through its ACL and bucket policy, and no "
        "public access block neutralises it."
    )


def test_moto_ignores_listbuckets_paging_so_paging_is_tested_with_injected_pages(
    world: S3World,
) -> None:
    for index in range(3):
        world.bucket(f"paged-{index}")

    page = boto3.client("s3", region_name="us-east-1").list_buckets(MaxBuckets=1)

    # AWS would answer one bucket and a ContinuationToken; moto answers one and no token.
    assert len(page["Buckets"]) == 1
    assert "ContinuationToken" not in page
    # Paging itself: test_s3_collector serves real multi-page answers to the scanner.


# The public access matrix end to end: every ACL x policy x bucket block combination, under
# both account-level states. Expected values follow the documented rule, not the code.
CASES = list(itertools.product(["private", "public-acl"], ["none", "public-policy"], [False, True]))


@pytest.mark.parametrize("account_blocked", [False, True], ids=["account-open", "account-blocked"])
def test_public_read_matrix_end_to_end(
    world: S3World, statement: Callable[..., dict[str, Any]], account_blocked: bool
) -> None:
    if account_blocked:
        world.account_block(ignore_public_acls=True, restrict_public_buckets=True)
    names: dict[str, tuple[str, str, bool]] = {}
    for acl, policy, bucket_blocked in CASES:
        name = f"{acl}-{policy}-{'blocked' if bucket_blocked else 'open'}"
        names[name] = (acl, policy, bucket_blocked)
        world.bucket(name)
        if acl == "public-acl":
            world.grant_public(name, "READ")
        if policy == "public-policy":
            world.policy(name, statement(name, Action="s3:GetObject"))
        if bucket_blocked:
            world.bucket_block(name, ignore_public_acls=True, restrict_public_buckets=True)

    world.scan()

    for name, (acl, policy, bucket_blocked) in names.items():
        neutralised = bucket_blocked or account_blocked
        public = (acl == "public-acl" or policy == "public-policy") and not neutralised
        finding = world.finding(name, "s3.public_read")
        assert finding["status"] == ("FAIL" if public else "PASS"), name
