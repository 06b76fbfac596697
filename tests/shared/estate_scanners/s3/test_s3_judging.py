"""Running checks over facts: unreadable facts, undeclared reads and crashes all end as ERROR,
and partial-fact judges still decide what can be decided."""

from __future__ import annotations

import json
from typing import Any

import pytest

from estate_scanners.s3.check_model import (
    BucketCheck,
    BucketSubject,
    Remediation,
    Verdict,
    passed,
    present,
)
from estate_scanners.s3.checks import (
    cross_account_access,
    data_events_read,
    data_events_write,
    mfa_delete,
    public_read,
    versioning,
)
from estate_scanners.s3.facts import (
    AccountFacts,
    Acl,
    BasicSelector,
    BucketFacts,
    BucketPolicy,
    Fact,
    Fetched,
    FetchError,
    FieldSelector,
    Grant,
    Lifecycle,
    LifecycleRule,
    NotConfigured,
    PublicAccessBlock,
    Trail,
    Trails,
    Versioning,
)
from estate_scanners.s3.judging import judge_bucket
from estate_scanners.s3.policy import parse_policy

OWN = "123456789012"
OTHER = "210987654321"
DENIED = FetchError("AccessDenied", "no", "GetPublicAccessBlock")
NO_BLOCK = NotConfigured("NoSuchPublicAccessBlockConfiguration")
EXAMPLE_FIX = Remediation("Fix it.", "https://docs.aws.amazon.com/AmazonS3/latest/userguide/")


def subject(account_block: Fetched[PublicAccessBlock] = NO_BLOCK, **facts: Any) -> BucketSubject:
    bucket = BucketFacts("b", "us-east-1", "arn:aws:s3:::b").with_facts(
        {Fact(name): value for name, value in facts.items()}
    )
    return BucketSubject(bucket, AccountFacts(OWN, "us-east-1", public_access_block=account_block))


def check(judge: Any, needs: set[Fact]) -> BucketCheck:
    return BucketCheck(
        check_id="s3.example",
        title="Example",
        severity="LOW",
        severity_reason="For tests.",
        controls=(),
        needs=frozenset(needs),
        remediation=EXAMPLE_FIX,
        judge=judge,
    )


def test_a_needed_fact_that_could_not_be_read_gives_error_without_calling_the_judge() -> None:
    denied = FetchError("AccessDenied", "Access Denied", "GetBucketVersioning")

    verdict = judge_bucket(versioning.CHECK, subject(versioning=denied))

    assert verdict.status == "ERROR"
    assert verdict.message == "Could not evaluate: GetBucketVersioning failed with AccessDenied."
    assert verdict.evidence == {"errors": {"versioning": denied.as_evidence()}}


def test_a_judge_reading_an_undeclared_fact_gets_error_not_a_guess() -> None:
    def sloppy(s: BucketSubject) -> Verdict:
        present(s.bucket.acl)  # not in its needs: never fetched
        return passed("unreachable")

    verdict = judge_bucket(check(sloppy, {Fact.VERSIONING}), subject(versioning=Versioning()))

    assert verdict.status == "ERROR"
    assert verdict.evidence["errors"]["undeclared"]["code"] == "NotFetched"


def test_a_crashing_judge_gives_error_for_its_own_check_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(_: BucketSubject) -> Verdict:
        raise ZeroDivisionError("bug")

    verdict = judge_bucket(check(broken, {Fact.VERSIONING}), subject(versioning=Versioning()))
    healthy = judge_bucket(versioning.CHECK, subject(versioning=Versioning("Enabled")))

    assert verdict.status == "ERROR"
    assert verdict.evidence == {
        "errors": {"check": {"code": "CheckCrashed", "message": "s3.example"}}
    }
    assert "check s3.example crashed" in caplog.text
    assert healthy.status == "PASS"


def public_policy_granting(principal: Any, action: str) -> BucketPolicy:
    return BucketPolicy(
        parse_policy(
            json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "s3:GetObject",
                            "Resource": "*",
                        },
                        {
                            "Effect": "Allow",
                            "Principal": principal,
                            "Action": action,
                            "Resource": "*",
                        },
                    ]
                }
            )
        )
    )


@pytest.mark.parametrize(
    ("bucket_block", "account_block", "status"),
    [
        (NO_BLOCK, NO_BLOCK, "FAIL"),
        (PublicAccessBlock(restrict_public_buckets=True), NO_BLOCK, "PASS"),
        (NO_BLOCK, PublicAccessBlock(restrict_public_buckets=True), "PASS"),
        (NO_BLOCK, DENIED, "ERROR"),
        (PublicAccessBlock(restrict_public_buckets=True), DENIED, "PASS"),
    ],
)
def test_restrict_public_buckets_cuts_cross_account_grants_of_a_public_policy(
    bucket_block: Fetched[PublicAccessBlock], account_block: Fetched[PublicAccessBlock], status: str
) -> None:
    policy = public_policy_granting({"AWS": OTHER}, "s3:PutObject")

    verdict = judge_bucket(
        cross_account_access.CHECK,
        subject(account_block, policy=policy, public_access_block=bucket_block),
    )

    assert verdict.status == status
    assert verdict.evidence["policy_is_public"] is True


def test_restrict_public_buckets_does_not_touch_a_non_public_policy() -> None:
    policy = BucketPolicy(
        parse_policy(
            json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": OTHER},
                            "Action": "s3:*",
                            "Resource": "*",
                        }
                    ]
                }
            )
        )
    )

    verdict = judge_bucket(
        cross_account_access.CHECK,
        subject(policy=policy, public_access_block=PublicAccessBlock(True, True, True, True)),
    )

    assert verdict.status == "FAIL"
    assert (
        verdict.message
        == f"Bucket b's policy lets account(s) {OTHER} write, delete or change access."
    )


def public_read_with_denied_account_block(acl: Acl) -> Verdict:
    """s3.public_read on a bucket with ``acl``, no policy, no bucket block, account block denied."""
    return judge_bucket(
        public_read.CHECK,
        subject(
            DENIED,
            acl=acl,
            policy=NotConfigured("NoSuchBucketPolicy"),
            public_access_block=NO_BLOCK,
        ),
    )


def test_public_read_decides_with_an_unreadable_account_block_when_nothing_is_public() -> None:
    private = Acl("o", (Grant("CanonicalUser", "FULL_CONTROL", grantee_id="o"),))

    verdict = public_read_with_denied_account_block(private)

    assert verdict.status == "PASS"
    assert verdict.evidence["account_block"] == {"configured": None, "error": DENIED.as_evidence()}


def test_public_read_is_error_when_the_deciding_block_cannot_be_read() -> None:
    public = Acl(
        "o", (Grant("Group", "READ", uri="http://acs.amazonaws.com/groups/global/AllUsers"),)
    )

    verdict = public_read_with_denied_account_block(public)

    assert verdict.status == "ERROR"
    assert verdict.message == (
        "Could not tell whether bucket b is publicly readable: a configuration item needed to "
        "decide could not be read."
    )


def test_a_verdict_naming_an_undeclared_control_is_a_check_bug_and_gives_error() -> None:
    def overreaching(_: BucketSubject) -> Verdict:
        return passed("fine").with_controls("SecurityHub:S3.99")

    verdict = judge_bucket(check(overreaching, {Fact.VERSIONING}), subject(versioning=Versioning()))

    assert verdict.status == "ERROR"
    assert verdict.evidence["errors"]["check"]["code"] == "CheckCrashed"


def test_a_declared_conditional_control_joins_the_check_controls_only_when_named() -> None:
    spec = BucketCheck(
        check_id="s3.example",
        title="Example",
        severity="LOW",
        severity_reason="For tests.",
        controls=("SecurityHub:S3.13",),
        conditional_controls=(("SecurityHub:S3.10", "versioned"),),
        needs=frozenset(),
        remediation=EXAMPLE_FIX,
        judge=lambda _: passed("fine"),
    )

    assert spec.controls_for(passed("fine")) == ("SecurityHub:S3.13",)
    assert spec.controls_for(passed("fine").with_controls("SecurityHub:S3.10")) == (
        "SecurityHub:S3.13",
        "SecurityHub:S3.10",
    )


# --- S3.20 MFA delete: the decision table ------------------------------------------------

MFA_DELETE_CASES = [
    # (versioning, MFADelete, lifecycle rules, status, applicable)
    (None, None, 0, "PASS", False),  # never versioned: nothing to protect
    ("Enabled", "Enabled", 0, "PASS", True),
    ("Enabled", "Disabled", 0, "FAIL", True),
    ("Enabled", None, 0, "FAIL", True),
    ("Suspended", None, 0, "FAIL", True),  # the versions it holds are still unguarded
    # "You can't use MFA delete with lifecycle configurations" (S3 User Guide).
    ("Enabled", None, 1, "PASS", False),
]


@pytest.mark.parametrize(("status", "mfa", "rules", "expected", "applicable"), MFA_DELETE_CASES)
def test_mfa_delete_decides_by_versioning_mfa_and_lifecycle(
    status: str | None, mfa: str | None, rules: int, expected: str, applicable: bool
) -> None:
    lifecycle = Lifecycle(
        tuple(LifecycleRule(f"r{i}", True, ("Expiration",)) for i in range(rules))
    )
    verdict = judge_bucket(
        mfa_delete.CHECK,
        subject(versioning=Versioning(status, mfa), lifecycle=lifecycle),
    )
    assert (verdict.status, verdict.evidence["applicable"]) == (expected, applicable)


# --- S3.22 / S3.23 data events: the selector table ----------------------------------------

DATA = FieldSelector("eventCategory", (("Equals", ("Data",)),))
S3_OBJECTS = FieldSelector("resources.type", (("Equals", ("AWS::S3::Object",)),))


def read_only(operator: str, value: str) -> FieldSelector:
    return FieldSelector("readOnly", ((operator, (value,)),))


# (selectors of one multi-Region trail, logs writes, logs reads, the rule it encodes)
SELECTOR_CASES = [
    ((BasicSelector("All", (("AWS::S3::Object", ("arn:aws:s3",)),)),), True, True,
     "DataResource Values: 'specify the prefix as arn:aws:s3' logs all buckets"),
    ((BasicSelector("WriteOnly", (("AWS::S3::Object", ("arn:aws:s3:::",)),)),), True, False,
     "ReadWriteType WriteOnly logs writes alone"),
    ((BasicSelector("All", (("AWS::S3::Object", ("arn:aws:s3:::logs/",)),)),), False, False,
     "one bucket's prefix is not every bucket"),
    ((BasicSelector("All", (("AWS::Lambda::Function", ("arn:aws:lambda",)),)),), False, False,
     "another resource type"),
    (((DATA, S3_OBJECTS),), True, True, "no readOnly field: both kinds"),
    (((DATA, S3_OBJECTS, read_only("Equals", "false")),), True, False, "readOnly = false"),
    (((DATA, S3_OBJECTS, read_only("NotEquals", "true")),), True, False, "readOnly != true"),
    (((DATA, S3_OBJECTS, read_only("Equals", "true")),), False, True, "readOnly = true"),
    (((DATA, S3_OBJECTS, FieldSelector("resources.ARN", (("StartsWith", ("arn:aws:s3:::a/",)),))),),
     False, False, "a resources.ARN field narrows the selector"),
    (((S3_OBJECTS,),), False, False, "eventCategory must be Data"),
]  # fmt: skip


@pytest.mark.parametrize(("selectors", "writes", "reads", "rule"), SELECTOR_CASES)
def test_data_event_selectors_are_credited_only_when_they_cover_every_bucket(
    selectors: tuple[Any, ...], writes: bool, reads: bool, rule: str
) -> None:
    basic = tuple(s for s in selectors if isinstance(s, BasicSelector))
    advanced = tuple(s for s in selectors if not isinstance(s, BasicSelector))
    trail = Trail("t", "arn:aws:cloudtrail:us-east-1:1:trail/t", "us-east-1", True, basic, advanced)
    account = AccountFacts(OWN, "us-east-1", trails=Trails((trail,)))
    assert (data_events_write.CHECK.judge(account).status == "PASS") is writes, rule
    assert (data_events_read.CHECK.judge(account).status == "PASS") is reads, rule
