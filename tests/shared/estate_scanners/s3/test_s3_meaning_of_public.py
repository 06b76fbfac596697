"""The meaning of "public", rule by rule: one table row per rule, each carrying the sentence it encodes.

Sources (summarised in docs/checks.md, "The meaning of public"):
- S3 User Guide, "Blocking public access to your Amazon S3 storage", section "The meaning
  of 'public'" (`conditions.S3_PUBLIC`) and "Block public access settings" (`S3_BPA`);
- IAM User Guide: "Principal", "NotPrincipal", "NotAction", "Condition operators".

Each row states the expected verdict for one policy statement or ACL, written from the
quoted sentence, not from the code. Positive and negative rows come in pairs so that a
rule removed from the code fails at least one row. `undetermined` rows are the cases the
documents leave open: the verdict is the code's stated decision and the reading must
say it rests on an open case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from estate_scanners.s3.check_model import BucketSubject
from estate_scanners.s3.checks import cross_account_access
from estate_scanners.s3.conditions import DOCUMENTED_KEYS, read_condition
from estate_scanners.s3.facts import (
    AccountFacts,
    Acl,
    BucketFacts,
    BucketPolicy,
    Fact,
    Grant,
    NotConfigured,
    PublicAccessBlock,
)
from estate_scanners.s3.judging import judge_bucket
from estate_scanners.s3.policy import parse_policy
from estate_scanners.s3.public_access import (
    ALL_USERS,
    AUTHENTICATED_USERS,
    Access,
    Exposure,
    PublicAccessAssessment,
    assess_public_access,
    read_statement,
)

OWN = "123456789012"
OTHER = "210987654321"
NO_BLOCK = NotConfigured("NoSuchPublicAccessBlockConfiguration")
NO_POLICY = NotConfigured("NoSuchBucketPolicy")
PRIVATE_ACL = Acl("owner", (Grant("CanonicalUser", "FULL_CONTROL", grantee_id="owner"),))

# The S3 User Guide, "The meaning of 'public'", "Bucket policies".
ASSUMED_PUBLIC = (
    "When evaluating a bucket policy, Amazon S3 begins by assuming that the policy is public."
)
FIXED_VALUES = (
    "To be considered non-public, a bucket policy must grant access only to fixed values "
    "(values that don't contain a wildcard or an AWS Identity and Access Management Policy "
    "Variable) for one or more of the following"
)
PRINCIPAL_BULLET = "An AWS principal, user, role, or service principal (e.g. aws:PrincipalOrgID)"
CIDR_BULLET = "A set of Classless Inter-Domain Routings (CIDRs), using aws:SourceIp."
BROAD_CIDR = (
    "Bucket policies that grant access conditioned on the aws:SourceIp condition key with very "
    'broad IP ranges (for example, 0.0.0.0/1) are evaluated as "public." This includes values '
    "broader than /8 for IPv4 and /32 for IPv6 (excluding RFC1918 private ranges)."
)
USERID_BULLET = 'aws:userid, outside the pattern "AROLEID:*"'
ACCESS_POINT_NOTE = (
    "When used in a bucket policy, this value can contain a wildcard for the access point name "
    "without rendering the policy public, as long as the account id is fixed."
)
PUBLIC_EXAMPLES = (
    "Under these rules, the following example policies are considered public. "
    '{"Principal": {"Federated": "graph.facebook.com"}, ...}; {"Principal": "*", ...}; '
    '{"Principal": "*", ..., "Condition": {"StringLike": {"aws:SourceVpc": "vpc-*"}}}'
)
MADE_NON_PUBLIC = (
    "You can make these policies non-public by including any of the condition keys listed "
    'previously, using a fixed value. ... {"StringEquals": {"aws:SourceVpc": "vpc-91237329"}}'
)
ACL_GROUPS = (
    "Amazon S3 considers a bucket or object ACL public if it grants any permissions to members "
    "of the predefined AllUsers or AuthenticatedUsers groups."
)
# The S3 User Guide, "Block public access settings" and the mixed-policy example.
IGNORE_PUBLIC_ACLS = (
    "IgnorePublicAcls: Setting this option to TRUE causes Amazon S3 to ignore all public ACLs "
    "on a bucket and any objects that it contains."
)
BLOCK_PUBLIC_ACLS = (
    "BlockPublicAcls: ... existing policies and ACLs for buckets and objects are not modified."
)
RESTRICT_PUBLIC_BUCKETS = (
    "RestrictPublicBuckets: Setting this option to TRUE restricts access to an access point or "
    "bucket with a public policy to only AWS service principals and authorized users within "
    "the bucket owner's account"
)
BLOCK_PUBLIC_POLICY = (
    "BlockPublicPolicy: Enabling this setting doesn't affect existing ... policies."
)
MIXED_POLICY = (
    "With this policy in place and RestrictPublicBuckets enabled, Amazon S3 allows access only "
    "by CloudTrail. ... if you remove statement 3 from the policy, then the policy doesn't "
    'qualify as public, and RestrictPublicBuckets no longer applies. Thus, "Account-2" regains '
    "access to the bucket, even if you leave RestrictPublicBuckets enabled."
)
# The IAM User Guide.
ANONYMOUS_EQUIVALENT = (
    'For anonymous users, the following elements are equivalent: "Principal": "*" and '
    '"Principal" : { "AWS" : "*" }'
)
NO_PARTIAL_WILDCARD = (
    'Note that you can use * only to specify "everyone/anonymous." You cannot use it to '
    "specify part of a name or ARN."
)
ARRAY_OPTIONAL = (
    "If the element takes an array (marked with [ and ]) but only one value is included, the "
    "brackets are optional."
)
PRINCIPAL_REQUIRED = (
    "The principal_block element is required in resource-based policies (for example, in "
    "Amazon S3 bucket policies)"
)
NOT_PRINCIPAL_ALLOW = (
    "Doing so allows all principals except the one named in the NotPrincipal element. ... you "
    "might grant access to anonymous (unauthenticated) users."
)
NOT_ACTION_ALLOW = (
    "all of the applicable actions or services that are not listed are allowed if you use the "
    "Allow effect"
)
KEY_CASE = "condition key names are not case-sensitive"
ACTION_CASE = "The prefix and the action name are case insensitive."
IF_EXISTS = "If the key is not present, evaluate the condition element as true."
FOR_ALL_VALUES = "ForAllValues returns true if there are no context keys in the request"
NEGATED = "StringNotEquals: Negated matching"


@dataclass(frozen=True)
class Row:
    """One rule: the sentence, a statement, and what the sentence says about it."""

    name: str
    quote: str
    statement: dict[str, Any]
    public: bool
    undetermined: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def allow(principal: Any = "*", action: Any = "s3:GetObject", **extra: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": principal,
        "Action": action,
        "Resource": "arn:aws:s3:::b/*",
        **extra,
    }


def when(operator: str, key: str, value: Any) -> dict[str, Any]:
    return {"Condition": {operator: {key: value}}}


def assess(
    access: Access = Access.READ,
    *,
    acl: Acl = PRIVATE_ACL,
    policy: BucketPolicy | NotConfigured = NO_POLICY,
    bucket_block: PublicAccessBlock | NotConfigured = NO_BLOCK,
    account_block: PublicAccessBlock | NotConfigured = NO_BLOCK,
) -> PublicAccessAssessment:
    return assess_public_access(
        access=access,
        acl=acl,
        policy=policy,
        bucket_block=bucket_block,
        account_block=account_block,
    )


def parsed(statement: dict[str, Any]) -> BucketPolicy:
    # A single statement object, not a list: the grammar's optional brackets, on every row.
    return BucketPolicy(parse_policy(json.dumps({"Statement": statement})))


PRINCIPAL_ROWS = [
    Row("star", PUBLIC_EXAMPLES, allow("*"), True),
    Row("aws-star", ANONYMOUS_EQUIVALENT, allow({"AWS": "*"}), True),
    Row("aws-star-in-a-list", ARRAY_OPTIONAL, allow({"AWS": ["*"]}), True),
    Row("star-among-fixed", FIXED_VALUES, allow({"AWS": [f"arn:aws:iam::{OWN}:root", "*"]}), True),
    Row("account-id", PRINCIPAL_BULLET, allow({"AWS": OTHER}), False),
    Row("role-arn", PRINCIPAL_BULLET, allow({"AWS": f"arn:aws:iam::{OTHER}:role/reader"}), False),
    Row("service", PRINCIPAL_BULLET, allow({"Service": "cloudtrail.amazonaws.com"}), False),
    Row("canonical-user", PRINCIPAL_BULLET, allow({"CanonicalUser": "79a59df900b949e5"}), False),
    Row("partial-wildcard-arn", NO_PARTIAL_WILDCARD, allow({"AWS": "arn:aws:iam::*:root"}), True),
    Row(
        "federated-web-identity", PUBLIC_EXAMPLES, allow({"Federated": "graph.facebook.com"}), True
    ),
    Row(
        "federated-saml-provider",
        PUBLIC_EXAMPLES,
        allow({"Federated": f"arn:aws:iam::{OWN}:saml-provider/corp"}),
        True,
        undetermined=True,
    ),
    Row(
        "not-principal-allow",
        NOT_PRINCIPAL_ALLOW,
        {**allow(), "Principal": None, "NotPrincipal": {"AWS": f"arn:aws:iam::{OTHER}:root"}},
        True,
    ),
    Row(
        "not-principal-allow-limited",
        NOT_PRINCIPAL_ALLOW + " / " + MADE_NON_PUBLIC,
        {
            **allow(**when("StringEquals", "aws:SourceVpc", "vpc-91237329")),
            "Principal": None,
            "NotPrincipal": {"AWS": OTHER},
        },
        False,
    ),
    Row("deny-star", FIXED_VALUES, {**allow(), "Effect": "Deny"}, False),
    Row("no-principal", PRINCIPAL_REQUIRED, {**allow(), "Principal": None}, False),
    Row(
        "empty-not-principal",
        NOT_PRINCIPAL_ALLOW,
        {**allow(), "Principal": None, "NotPrincipal": {"AWS": []}},
        True,
    ),
]

# One row pair per key the document lists: a fixed value limits, a wildcard or a policy
# variable does not. The table must name every documented key (checked below).
KEY_VALUES: dict[str, tuple[str, str, str]] = {
    # key: (quote, fixed value, non-fixed value)
    "aws:principalorgid": (PRINCIPAL_BULLET, "o-a1b2c3d4e5", "o-*"),
    "aws:sourceip": (CIDR_BULLET, "203.0.113.0/24", "0.0.0.0/1"),
    "aws:sourcearn": ("aws:SourceArn", f"arn:aws:sns:us-east-1:{OWN}:t", "arn:aws:sns:*"),
    "aws:sourcevpc": ("aws:SourceVpc", "vpc-91237329", "vpc-*"),
    "aws:sourcevpce": ("aws:SourceVpce", "vpce-1a2b3c4d", "vpce-?a2b3c4d"),
    "aws:sourceowner": ("aws:SourceOwner", OWN, "${aws:PrincipalAccount}"),
    "aws:sourceaccount": ("aws:SourceAccount", OWN, "12345678901?"),
    "s3:x-amz-server-side-encryption-aws-kms-key-id": (
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        f"arn:aws:kms:us-east-1:{OWN}:key/k1",
        f"arn:aws:kms:us-east-1:{OWN}:key/*",
    ),
    "aws:userid": (USERID_BULLET, "AIDAEXAMPLEUSERID", "AIDA*"),
    "s3:dataaccesspointarn": (
        "s3:DataAccessPointArn",
        f"arn:aws:s3:us-west-2:{OWN}:accesspoint/reports",
        "arn:aws:s3:us-west-2:*:accesspoint/*",
    ),
    "s3:dataaccesspointaccount": ("s3:DataAccessPointAccount", OWN, "*"),
}


def key_rows() -> list[Row]:
    operator = {"aws:sourceip": "IpAddress"}
    rows = []
    for key, (quote, fixed, loose) in KEY_VALUES.items():
        op = operator.get(key, "StringLike")
        rows.append(Row(f"{key}-fixed", quote, allow(**when(op, key, fixed)), False))
        rows.append(Row(f"{key}-not-fixed", FIXED_VALUES, allow(**when(op, key, loose)), True))
    return rows


CONDITION_ROWS = [
    Row(
        "vpc-wildcard", PUBLIC_EXAMPLES, allow(**when("StringLike", "aws:SourceVpc", "vpc-*")), True
    ),
    Row(
        "vpc-fixed",
        MADE_NON_PUBLIC,
        allow(**when("StringEquals", "aws:SourceVpc", "vpc-91237329")),
        False,
    ),
    Row(
        "unlisted-key",
        ASSUMED_PUBLIC,
        allow(**when("StringEquals", "aws:SecureTransport", "true")),
        True,
    ),
    Row(
        "policy-variable",
        FIXED_VALUES,
        allow(**when("StringEquals", "aws:SourceAccount", "${aws:ResourceAccount}")),
        True,
    ),
    Row(
        "one-value-not-fixed",
        FIXED_VALUES,
        allow(**when("StringEquals", "aws:SourceVpc", ["vpc-91237329", "vpc-*"])),
        True,
    ),
    Row(
        "one-limiting-condition-among-others",
        MADE_NON_PUBLIC,
        allow(
            Condition={
                "Bool": {"aws:SecureTransport": True},
                "StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"},
            }
        ),
        False,
    ),
    Row("key-case", KEY_CASE, allow(**when("StringEquals", "AWS:SOURCEVPC", "vpc-1")), False),
    Row("negated", NEGATED, allow(**when("StringNotEquals", "aws:SourceVpc", "vpc-1")), True),
    Row("not-ip", NEGATED, allow(**when("NotIpAddress", "aws:SourceIp", "203.0.113.0/24")), True),
    Row(
        "if-exists",
        IF_EXISTS,
        allow(**when("StringEqualsIfExists", "aws:SourceVpc", "vpc-1")),
        True,
    ),
    Row(
        "for-all-values",
        FOR_ALL_VALUES,
        allow(**when("ForAllValues:StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5")),
        True,
    ),
    Row(
        "for-any-value",
        FIXED_VALUES,
        allow(**when("ForAnyValue:StringEquals", "aws:PrincipalOrgID", "o-a1b2c3d4e5")),
        False,
    ),
    Row("null", FIXED_VALUES, allow(**when("Null", "aws:SourceVpc", False)), True),
    Row(
        "arn-like-fixed",
        "aws:SourceArn",
        allow(**when("ArnLike", "aws:SourceArn", f"arn:aws:cloudtrail:us-east-1:{OWN}:trail/t")),
        False,
    ),
    Row(
        "access-point-name-wildcard",
        ACCESS_POINT_NOTE,
        allow(
            **when("ArnLike", "s3:DataAccessPointArn", f"arn:aws:s3:us-west-2:{OWN}:accesspoint/*")
        ),
        False,
    ),
    Row(
        "access-point-account-wildcard",
        ACCESS_POINT_NOTE,
        allow(**when("ArnLike", "s3:DataAccessPointArn", "arn:aws:s3:us-west-2:*:accesspoint/x")),
        True,
    ),
    Row(
        "userid-fixed-role-session",
        USERID_BULLET,
        allow(**when("StringEquals", "aws:userid", "AROAEXAMPLEROLEID:session")),
        False,
    ),
]

CIDR_ROWS = [
    Row(
        "cidr-24", CIDR_BULLET, allow(**when("IpAddress", "aws:SourceIp", "203.0.113.0/24")), False
    ),
    Row(
        "single-address",
        CIDR_BULLET,
        allow(**when("IpAddress", "aws:SourceIp", "203.0.113.7")),
        False,
    ),
    Row(
        "cidr-slash-8", BROAD_CIDR, allow(**when("IpAddress", "aws:SourceIp", "11.0.0.0/8")), False
    ),
    Row("cidr-slash-7", BROAD_CIDR, allow(**when("IpAddress", "aws:SourceIp", "8.0.0.0/7")), True),
    Row("cidr-example", BROAD_CIDR, allow(**when("IpAddress", "aws:SourceIp", "0.0.0.0/1")), True),
    Row(
        "ipv6-slash-32",
        BROAD_CIDR,
        allow(**when("IpAddress", "aws:SourceIp", "2001:db8::/32")),
        False,
    ),
    Row(
        "ipv6-slash-31",
        BROAD_CIDR,
        allow(**when("IpAddress", "aws:SourceIp", "2001:db8::/31")),
        True,
    ),
    Row(
        "one-cidr-too-broad",
        BROAD_CIDR,
        allow(**when("IpAddress", "aws:SourceIp", ["203.0.113.0/24", "0.0.0.0/0"])),
        True,
    ),
    Row("not-a-cidr", CIDR_BULLET, allow(**when("IpAddress", "aws:SourceIp", "office")), True),
]

# Cases the documents leave open: the verdict is the code's stated decision, and the
# reading must say it rests on an open case.
OPEN_ROWS = [
    Row(
        "principal-account-key",
        PRINCIPAL_BULLET,
        allow(**when("StringEquals", "aws:PrincipalAccount", OTHER)),
        False,
        undetermined=True,
    ),
    Row(
        "principal-arn-key",
        PRINCIPAL_BULLET,
        allow(**when("ArnEquals", "aws:PrincipalArn", f"arn:aws:iam::{OTHER}:role/r")),
        False,
        undetermined=True,
    ),
    Row(
        "principal-org-paths-key",
        PRINCIPAL_BULLET,
        allow(**when("ForAnyValue:StringLike", "aws:PrincipalOrgPaths", "o-a1b2c3d4e5/r-ab12/")),
        False,
        undetermined=True,
    ),
    Row(
        "userid-role-pattern",
        USERID_BULLET,
        allow(**when("StringLike", "aws:userid", "AROAEXAMPLEROLEID:*")),
        True,
        undetermined=True,
    ),
    Row(
        "access-point-region-wildcard",
        ACCESS_POINT_NOTE,
        allow(**when("ArnLike", "s3:DataAccessPointArn", f"arn:aws:s3:*:{OWN}:accesspoint/*")),
        True,
        undetermined=True,
    ),
    Row(
        "rfc1918-range",
        BROAD_CIDR,
        allow(**when("IpAddress", "aws:SourceIp", "10.0.0.0/8")),
        False,
        undetermined=True,
    ),
    Row(
        "open-limit-beside-a-clean-one",
        MADE_NON_PUBLIC,
        allow(
            Condition={
                "StringEquals": {"aws:PrincipalAccount": OTHER, "aws:SourceVpc": "vpc-1"},
            }
        ),
        False,
        undetermined=False,
    ),
]

ROWS = PRINCIPAL_ROWS + key_rows() + CONDITION_ROWS + CIDR_ROWS + OPEN_ROWS


@pytest.mark.parametrize("row", ROWS, ids=[row.name for row in ROWS])
def test_each_rule_of_the_meaning_of_public(row: Row) -> None:
    (statement,) = parsed({k: v for k, v in row.statement.items() if v is not None}).statements

    reading = read_statement(statement)

    assert reading.public is row.public, f"{row.quote!r}: {reading.because}"
    assert bool(reading.undetermined) is row.undetermined, reading.undetermined


def test_the_key_table_names_every_key_the_document_lists() -> None:
    assert set(KEY_VALUES) == DOCUMENTED_KEYS


@pytest.mark.parametrize("row", OPEN_ROWS[:-1], ids=[row.name for row in OPEN_ROWS[:-1]])
def test_an_open_case_is_said_in_the_finding_evidence(row: Row) -> None:
    policy = parsed({k: v for k, v in row.statement.items() if v is not None})

    evidence = assess(Access.READ, policy=policy).policy.evidence

    if row.public:
        (exposing,) = evidence["public_statements"]
        assert exposing["undetermined"]
    else:
        assert evidence["public_statements"] == []
        (open_case,) = evidence["undetermined"]
        assert open_case["index"] == 0 and open_case["undetermined"]


def test_a_condition_reading_names_its_rule_and_open_case() -> None:
    statement = parsed(allow(**when("StringLike", "aws:userid", "AROAEXAMPLEROLEID:*"))).statements[
        0
    ]

    evidence = read_condition(statement.conditions[0]).as_evidence()

    assert evidence["rule"] == "not fixed value(s) of aws:userid"
    assert "AROLEID:*" in str(evidence["undetermined"])


# Deny statements: the document is silent on whether they narrow a public Allow.
DENY_ROW = Row(
    "deny-may-narrow",
    ASSUMED_PUBLIC,
    {
        "Statement": [
            allow(),
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::b/*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
            },
        ]
    },
    True,
    undetermined=True,
)


def test_a_deny_that_may_narrow_a_public_allow_is_said_and_not_subtracted() -> None:
    policy = BucketPolicy(parse_policy(json.dumps(DENY_ROW.statement)))

    assessment = assess(Access.READ, policy=policy)

    assert (assessment.exposure is Exposure.PUBLIC) is DENY_ROW.public, DENY_ROW.quote
    (exposing,) = assessment.policy.evidence["public_statements"]
    assert "Deny statement(s) 1 may narrow" in exposing["undetermined"][0]


def test_a_deny_on_other_actions_is_not_said_to_narrow() -> None:
    document = {"Statement": [allow(), {**allow(action="s3:PutObject"), "Effect": "Deny"}]}
    policy = BucketPolicy(parse_policy(json.dumps(document)))

    evidence = assess(Access.READ, policy=policy).policy.evidence

    assert "undetermined" not in evidence["public_statements"][0]


@dataclass(frozen=True)
class ActionRow:
    name: str
    quote: str
    statement: dict[str, Any]
    readable: bool
    writable: bool


ACTION_ROWS = [
    ActionRow("action-case", ACTION_CASE, allow(action="S3:GETOBJECT"), True, False),
    ActionRow(
        "not-action-allow",
        NOT_ACTION_ALLOW,
        {**allow(), "Action": None, "NotAction": "s3:DeleteBucket"},
        True,
        True,
    ),
    ActionRow(
        "not-action-excluding-reads",
        NOT_ACTION_ALLOW,
        {**allow(), "Action": None, "NotAction": ["s3:Get*", "s3:List*"]},
        False,
        True,
    ),
    ActionRow("not-a-bad-action", ASSUMED_PUBLIC, allow(action="s3:ReplicateObject"), False, False),
]


@pytest.mark.parametrize("row", ACTION_ROWS, ids=[row.name for row in ACTION_ROWS])
def test_which_actions_a_public_statement_exposes(row: ActionRow) -> None:
    policy = parsed({k: v for k, v in row.statement.items() if v is not None})

    def exposure(access: Access) -> bool:
        return assess(access, policy=policy).exposure is Exposure.PUBLIC

    assert (exposure(Access.READ), exposure(Access.WRITE)) == (row.readable, row.writable), (
        row.quote
    )


@dataclass(frozen=True)
class AclRow:
    name: str
    quote: str
    grant: Grant
    readable: bool
    writable: bool
    block: PublicAccessBlock | None = None


LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
ACL_ROWS = [
    AclRow("all-users-read", ACL_GROUPS, Grant("Group", "READ", uri=ALL_USERS), True, False),
    AclRow(
        "authenticated-write",
        ACL_GROUPS,
        Grant("Group", "WRITE", uri=AUTHENTICATED_USERS),
        False,
        True,
    ),
    AclRow("all-users-full", ACL_GROUPS, Grant("Group", "FULL_CONTROL", uri=ALL_USERS), True, True),
    AclRow("log-delivery", ACL_GROUPS, Grant("Group", "WRITE", uri=LOG_DELIVERY), False, False),
    AclRow(
        "another-account",
        ACL_GROUPS,
        Grant("CanonicalUser", "FULL_CONTROL", grantee_id="other-canonical-id"),
        False,
        False,
    ),
    AclRow(
        "ignored",
        IGNORE_PUBLIC_ACLS,
        Grant("Group", "FULL_CONTROL", uri=ALL_USERS),
        False,
        False,
        PublicAccessBlock(ignore_public_acls=True),
    ),
    AclRow(
        "block-new-only",
        BLOCK_PUBLIC_ACLS,
        Grant("Group", "FULL_CONTROL", uri=ALL_USERS),
        True,
        True,
        PublicAccessBlock(block_public_acls=True, block_public_policy=True),
    ),
]


@pytest.mark.parametrize("row", ACL_ROWS, ids=[row.name for row in ACL_ROWS])
def test_which_acl_grants_are_public(row: AclRow) -> None:
    acl = Acl("owner", (*PRIVATE_ACL.grants, row.grant))

    def exposure(access: Access) -> bool:
        return (
            assess(access, acl=acl, bucket_block=row.block or NO_BLOCK).exposure is Exposure.PUBLIC
        )

    assert (exposure(Access.READ), exposure(Access.WRITE)) == (row.readable, row.writable), (
        row.quote
    )


@pytest.mark.parametrize(
    ("quote", "block", "public"),
    [
        (RESTRICT_PUBLIC_BUCKETS, PublicAccessBlock(restrict_public_buckets=True), False),
        (BLOCK_PUBLIC_POLICY, PublicAccessBlock(block_public_policy=True), True),
    ],
    ids=["restrict-public-buckets", "block-public-policy"],
)
def test_which_flags_neutralise_a_stored_public_policy(
    quote: str, block: PublicAccessBlock, public: bool
) -> None:
    for bucket_block, account_block in ((block, NO_BLOCK), (NO_BLOCK, block)):
        assessment = assess(
            Access.READ,
            policy=parsed(allow()),
            bucket_block=bucket_block,
            account_block=account_block,
        )

        assert (assessment.exposure is Exposure.PUBLIC) is public, quote


def mixed_policy(*, with_public_statement: bool) -> BucketPolicy:
    statements = [
        allow({"Service": "cloudtrail.amazonaws.com"}, "s3:PutObject"),
        allow({"AWS": f"arn:aws:iam::{OTHER}:root"}, "s3:PutObject"),
        allow("*", "s3:GetObject"),
    ]
    kept = statements if with_public_statement else statements[:2]
    return BucketPolicy(parse_policy(json.dumps({"Statement": kept})))


@pytest.mark.parametrize(
    ("with_public_statement", "account_2_keeps_access"), [(True, False), (False, True)]
)
def test_the_documents_mixed_policy_example(
    with_public_statement: bool, account_2_keeps_access: bool
) -> None:
    bucket = BucketFacts("b", "us-east-1", "arn:aws:s3:::b").with_facts(
        {
            Fact.POLICY: mixed_policy(with_public_statement=with_public_statement),
            Fact.PUBLIC_ACCESS_BLOCK: PublicAccessBlock(restrict_public_buckets=True),
        }
    )
    subject = BucketSubject(bucket, AccountFacts(OWN, "us-east-1", public_access_block=NO_BLOCK))

    verdict = judge_bucket(cross_account_access.CHECK, subject)

    assert (verdict.status == "FAIL") is account_2_keeps_access, MIXED_POLICY
