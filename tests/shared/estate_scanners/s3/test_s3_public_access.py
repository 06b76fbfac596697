"""Public read/write through ACL and policy, neutralised by block flags at bucket or account level.

The matrix's expected answers come from the rule as AWS documents it, written here
separately from the code: IgnorePublicAcls (either level) cancels public ACL grants,
RestrictPublicBuckets (either level) cancels public policies, and BlockPublicAcls /
BlockPublicPolicy cancel nothing already stored.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estate_scanners.s3.facts import (
    Acl,
    BucketPolicy,
    Fetched,
    FetchError,
    Grant,
    NotConfigured,
    PublicAccessBlock,
)
from estate_scanners.s3.policy import Condition, PolicyStatement, Principal
from estate_scanners.s3.public_access import (
    ALL_USERS,
    AUTHENTICATED_USERS,
    Access,
    Exposure,
    allows_any,
    assess_public_access,
    grants_to_public,
    public_grants,
)

OWNER = Grant("CanonicalUser", "FULL_CONTROL", grantee_id="owner")
PRIVATE_ACL = Acl("owner", (OWNER,))
NO_POLICY = NotConfigured("NoSuchBucketPolicy")
NO_BLOCK = NotConfigured("NoSuchPublicAccessBlockConfiguration")
DENIED = FetchError("AccessDenied", "denied", "GetBucketAcl")


def statement(
    *,
    actions: tuple[str, ...] = ("s3:GetObject",),
    principals: tuple[Principal, ...] = (Principal("*", "*"),),
    effect: str = "Allow",
    conditions: tuple[Condition, ...] = (),
    not_action: bool = False,
    not_principal: bool = False,
) -> PolicyStatement:
    return PolicyStatement(
        index=0,
        sid=None,
        effect=effect,
        principals=principals,
        not_principal=not_principal,
        actions=actions,
        not_action=not_action,
        resources=("arn:aws:s3:::b/*",),
        not_resource=False,
        conditions=conditions,
    )


def public_acl(*permissions: str) -> Acl:
    return Acl("owner", (OWNER, *(Grant("Group", p, uri=ALL_USERS) for p in permissions)))


def assess(
    access: Access,
    acl: Fetched[Acl] = PRIVATE_ACL,
    policy: Fetched[BucketPolicy] = NO_POLICY,
    bucket_block: Fetched[PublicAccessBlock] = NO_BLOCK,
    account_block: Fetched[PublicAccessBlock] = NO_BLOCK,
) -> Exposure:
    return assess_public_access(
        access=access,
        acl=acl,
        policy=policy,
        bucket_block=bucket_block,
        account_block=account_block,
    ).exposure


BLOCKS: dict[str, Fetched[PublicAccessBlock]] = {
    "absent": NO_BLOCK,
    "new-only": PublicAccessBlock(block_public_acls=True, block_public_policy=True),
    "ignore-acls": PublicAccessBlock(ignore_public_acls=True),
    "restrict-policy": PublicAccessBlock(restrict_public_buckets=True),
    "all-four": PublicAccessBlock(True, True, True, True),
}
ACLS = {"private": PRIVATE_ACL, "public-read": public_acl("READ")}
POLICIES: dict[str, Fetched[BucketPolicy]] = {
    "none": NO_POLICY,
    "public-get": BucketPolicy((statement(),)),
}


def expected_public(acl: str, policy: str, bucket: str, account: str) -> bool:
    """The documented rule, independent of the code under test."""
    ignores_acls = {"ignore-acls", "all-four"}
    restricts = {"restrict-policy", "all-four"}
    acl_public = acl == "public-read" and bucket not in ignores_acls and account not in ignores_acls
    policy_public = policy == "public-get" and bucket not in restricts and account not in restricts
    return acl_public or policy_public


MATRIX = list(itertools.product(ACLS, POLICIES, BLOCKS, BLOCKS))


@pytest.mark.parametrize(("acl", "policy", "bucket", "account"), MATRIX)
def test_every_combination_of_acl_policy_bucket_and_account_block(
    acl: str, policy: str, bucket: str, account: str
) -> None:
    exposure = assess(Access.READ, ACLS[acl], POLICIES[policy], BLOCKS[bucket], BLOCKS[account])

    expected = (
        Exposure.PUBLIC if expected_public(acl, policy, bucket, account) else Exposure.NOT_PUBLIC
    )
    assert exposure is expected


@pytest.mark.parametrize(
    ("permission", "readable", "writable"),
    [
        ("READ", True, False),
        ("READ_ACP", True, False),
        ("WRITE", False, True),
        ("WRITE_ACP", True, True),
        ("FULL_CONTROL", True, True),
    ],
)
def test_acl_permissions_map_to_read_and_write(
    permission: str, readable: bool, writable: bool
) -> None:
    acl = public_acl(permission)

    assert (assess(Access.READ, acl) is Exposure.PUBLIC) is readable
    assert (assess(Access.WRITE, acl) is Exposure.PUBLIC) is writable


def test_authenticated_users_is_public_but_log_delivery_is_not() -> None:
    authenticated = Acl("o", (Grant("Group", "READ", uri=AUTHENTICATED_USERS),))
    log_delivery = Acl(
        "o", (Grant("Group", "WRITE", uri="http://acs.amazonaws.com/groups/s3/LogDelivery"),)
    )

    assert public_grants(authenticated, Access.READ) == authenticated.grants
    assert public_grants(log_delivery, Access.WRITE) == ()


@pytest.mark.parametrize(
    ("actions", "not_action", "readable", "writable"),
    [
        (("s3:GetObject",), False, True, False),
        (("s3:ListBucket",), False, True, False),
        (("s3:PutObject",), False, False, True),
        (("s3:DeleteObject",), False, False, True),
        (("s3:PutBucketPolicy",), False, False, True),
        (("s3:*",), False, True, True),
        (("*",), False, True, True),
        (("s3:Get*",), False, True, False),
        (("s3:*Object",), False, True, True),
        (("s3:ReplicateObject",), False, False, False),
        # NotAction allows everything else: excluding reads leaves writes, and vice versa.
        (("s3:Get*", "s3:List*"), True, False, True),
        (("s3:GetObject",), True, True, True),
        (("s3:*",), True, False, False),
    ],
)
def test_policy_actions_and_not_actions_map_to_read_and_write(
    actions: tuple[str, ...], not_action: bool, readable: bool, writable: bool
) -> None:
    policy = BucketPolicy((statement(actions=actions, not_action=not_action),))

    assert (assess(Access.READ, policy=policy) is Exposure.PUBLIC) is readable
    assert (assess(Access.WRITE, policy=policy) is Exposure.PUBLIC) is writable


@pytest.mark.parametrize(
    ("principals", "not_principal", "effect", "public"),
    [
        ((Principal("*", "*"),), False, "Allow", True),
        ((Principal("AWS", "*"),), False, "Allow", True),
        ((Principal("AWS", "arn:aws:iam::210987654321:root"),), False, "Allow", False),
        ((Principal("Service", "logging.s3.amazonaws.com"),), False, "Allow", False),
        ((Principal("AWS", "arn:aws:iam::123456789012:root"),), True, "Allow", True),
        ((Principal("*", "*"),), False, "Deny", False),
    ],
)
def test_which_principals_make_a_statement_public(
    principals: tuple[Principal, ...], not_principal: bool, effect: str, public: bool
) -> None:
    assert (
        grants_to_public(
            statement(principals=principals, not_principal=not_principal, effect=effect)
        )
        is public
    )


def test_given_an_unreadable_acl_when_no_flag_settles_it_then_unknown() -> None:
    assert assess(Access.READ, acl=DENIED) is Exposure.UNKNOWN


def test_given_an_unreadable_acl_when_ignore_public_acls_is_on_then_not_public() -> None:
    ignore = PublicAccessBlock(ignore_public_acls=True)

    assert assess(Access.READ, acl=DENIED, account_block=ignore) is Exposure.NOT_PUBLIC


def test_given_an_unreadable_acl_when_the_policy_is_public_then_public_anyway() -> None:
    policy = BucketPolicy((statement(),))

    assert assess(Access.READ, acl=DENIED, policy=policy) is Exposure.PUBLIC


def test_given_an_unreadable_account_block_when_nothing_is_public_then_not_public() -> None:
    assert assess(Access.READ, account_block=DENIED) is Exposure.NOT_PUBLIC


def test_given_an_unreadable_account_block_when_the_acl_is_public_then_unknown() -> None:
    exposure = assess_public_access(
        access=Access.READ,
        acl=public_acl("READ"),
        policy=NO_POLICY,
        bucket_block=NO_BLOCK,
        account_block=DENIED,
    )

    assert exposure.exposure is Exposure.UNKNOWN
    assert exposure.acl.evidence["block_unreadable_at"] == ["account"]


def test_given_a_public_acl_when_assessed_then_the_evidence_names_grant_and_flag() -> None:
    assessment = assess_public_access(
        access=Access.READ,
        acl=public_acl("READ"),
        policy=NO_POLICY,
        bucket_block=PublicAccessBlock(ignore_public_acls=True),
        account_block=NO_BLOCK,
    )

    assert assessment.exposure is Exposure.NOT_PUBLIC
    assert assessment.acl.evidence == {
        "public_grants": [
            {"grantee_type": "Group", "uri": ALL_USERS, "grantee_id": None, "permission": "READ"}
        ],
        "neutralising_flag": "IgnorePublicAcls",
        "neutralised_at": ["bucket"],
    }


# Properties ---------------------------------------------------------------------------

permissions = st.sampled_from(["READ", "READ_ACP", "WRITE", "WRITE_ACP", "FULL_CONTROL"])
groups = st.sampled_from([ALL_USERS, AUTHENTICATED_USERS])
blocks = st.builds(PublicAccessBlock, st.booleans(), st.booleans(), st.booleans(), st.booleans())
action_lists = st.lists(
    st.sampled_from(
        ["s3:GetObject", "s3:PutObject", "s3:*", "*", "s3:List*", "s3:Delete*", "s3:Get*"]
    ),
    min_size=1,
    max_size=3,
).map(tuple)
limiting_conditions = st.sampled_from(
    [
        Condition("IpAddress", "aws:sourceip", ("203.0.113.0/24",)),
        Condition("StringEquals", "aws:sourcevpce", ("vpce-1",)),
        Condition("StringEquals", "aws:principalorgid", ("o-1",)),
        Condition("ArnEquals", "aws:sourcearn", ("arn:aws:sns:us-east-1:123456789012:t",)),
    ]
)
any_conditions = st.lists(
    st.builds(
        Condition,
        st.sampled_from(["StringEquals", "StringLike", "IpAddress", "Bool", "StringNotEquals"]),
        st.sampled_from(["aws:sourceip", "aws:sourcevpce", "s3:prefix", "aws:securetransport"]),
        st.lists(st.sampled_from(["*", "vpce-1", "10.0.0.0/8", "true", "x"]), max_size=2).map(
            tuple
        ),
    ),
    max_size=3,
).map(tuple)


@given(st.lists(st.tuples(groups, permissions), min_size=1), st.sampled_from(list(Access)), blocks)
def test_any_public_grant_with_ignore_public_acls_at_bucket_level_is_not_public_via_acl(
    grants: list[tuple[str, str]], access: Access, other: PublicAccessBlock
) -> None:
    acl = Acl("o", tuple(Grant("Group", p, uri=g) for g, p in grants))
    bucket = PublicAccessBlock(
        other.block_public_acls, True, other.block_public_policy, other.restrict_public_buckets
    )

    assessment = assess_public_access(
        access=access, acl=acl, policy=NO_POLICY, bucket_block=bucket, account_block=NO_BLOCK
    )

    assert assessment.acl.exposure is Exposure.NOT_PUBLIC


@given(action_lists, any_conditions, limiting_conditions, st.sampled_from(list(Access)))
def test_adding_a_limiting_condition_never_makes_a_statement_public(
    actions: tuple[str, ...], conditions: tuple[Condition, ...], extra: Condition, access: Access
) -> None:
    limited = BucketPolicy((statement(actions=actions, conditions=(*conditions, extra)),))

    assert assess(Access(access), policy=limited) is Exposure.NOT_PUBLIC


@given(
    action_lists,
    any_conditions,
    st.lists(limiting_conditions, max_size=1).map(tuple),
    any_conditions,
    st.sampled_from(list(Access)),
)
def test_adding_conditions_never_turns_a_private_statement_public(
    actions: tuple[str, ...],
    noise: tuple[Condition, ...],
    limit: tuple[Condition, ...],
    added: tuple[Condition, ...],
    access: Access,
) -> None:
    granting = (*actions, "s3:*")  # grants both reads and writes: only a condition can limit it
    before = (*noise, *limit)
    private = assess(access, policy=BucketPolicy((statement(actions=granting, conditions=before),)))
    after = assess(
        access, policy=BucketPolicy((statement(actions=granting, conditions=before + added),))
    )

    if limit:  # a statement made private by its condition is among the cases, on purpose
        assert private is Exposure.NOT_PUBLIC
    if private is Exposure.NOT_PUBLIC:
        assert after is Exposure.NOT_PUBLIC


def documented_exposure(
    acl: str, policy: str, bucket: PublicAccessBlock, account: PublicAccessBlock
) -> Exposure:
    """The S3 documentation's rule over stored grants, written apart from the code: only
    IgnorePublicAcls cancels a public ACL, only RestrictPublicBuckets a public policy."""
    acl_public = acl == "public-read" and not (
        bucket.ignore_public_acls or account.ignore_public_acls
    )
    policy_public = policy == "public-get" and not (
        bucket.restrict_public_buckets or account.restrict_public_buckets
    )
    return Exposure.PUBLIC if acl_public or policy_public else Exposure.NOT_PUBLIC


@given(blocks, blocks, blocks, st.sampled_from(list(ACLS)), st.sampled_from(list(POLICIES)))
@settings(max_examples=150)
def test_turning_flags_on_never_makes_a_bucket_more_public(
    bucket: PublicAccessBlock,
    account: PublicAccessBlock,
    extra: PublicAccessBlock,
    acl: str,
    policy: str,
) -> None:
    stricter = PublicAccessBlock(
        *(a or b for a, b in zip(bucket.flags().values(), extra.flags().values(), strict=True))
    )
    before = assess(Access.READ, ACLS[acl], POLICIES[policy], bucket, account)
    after = assess(Access.READ, ACLS[acl], POLICIES[policy], stricter, account)

    assert before is documented_exposure(acl, policy, bucket, account)
    assert after is documented_exposure(acl, policy, stricter, account)
    if before is Exposure.NOT_PUBLIC:
        assert after is Exposure.NOT_PUBLIC


def test_allows_any_matches_wildcards_by_prefix() -> None:
    assert allows_any(statement(actions=("s3:G*",)), ("s3:Get*",))
    assert not allows_any(statement(actions=("s3:Put*",)), ("s3:Get*", "s3:List*"))
