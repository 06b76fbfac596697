"""IAM's size quotas: counted as AWS counts them, enforced, and met by splitting."""

from __future__ import annotations

import itertools
import json

import pulumi
import pytest

from estate.iam import (
    INLINE_POLICIES_MAX_CHARS,
    MANAGED_POLICY_MAX_CHARS,
    PolicyError,
    Statement,
    ensure_inline_policies_within,
    policy_document,
    policy_json,
    policy_size,
    split_into_managed_policies,
)
from tests.support.iam_pulumi import Resolve


def _object_statements(count: int) -> list[Statement]:
    return [
        Statement(
            f"ReadArchive{index:03d}",
            ("s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging"),
            (f"arn:aws:s3:::estate-archive-{index:03d}/findings/*",),
        )
        for index in range(count)
    ]


def test_given_white_space_then_it_does_not_count() -> None:
    compact = policy_json(_object_statements(2))
    pretty = json.dumps(json.loads(compact), indent=4)

    assert policy_size(pretty) == policy_size(compact) == len(compact)


def test_given_one_role_then_its_inline_policies_are_limited_together() -> None:
    half = "x" * (INLINE_POLICIES_MAX_CHARS // 2)

    ensure_inline_policies_within([half, half])
    with pytest.raises(PolicyError, match=r"inline policies of one role: 10241 characters"):
        ensure_inline_policies_within([half, half + "x"])


def test_given_statements_over_one_managed_policy_then_each_chunk_fits() -> None:
    statements = _object_statements(60)
    assert policy_size(policy_json(statements, max_chars=10**6)) > MANAGED_POLICY_MAX_CHARS

    chunks = split_into_managed_policies(statements)

    assert len(chunks) > 1
    for chunk in chunks:
        assert policy_size(policy_json(chunk)) <= MANAGED_POLICY_MAX_CHARS
    assert [statement for chunk in chunks for statement in chunk] == sorted(
        statements, key=lambda statement: statement.sid
    )


def test_given_statements_that_fit_then_they_stay_in_one_policy() -> None:
    statements = _object_statements(5)

    assert split_into_managed_policies(statements) == (tuple(statements),)


def test_given_chunks_then_each_is_as_full_as_the_next_statement_allows() -> None:
    chunks = split_into_managed_policies(_object_statements(60))

    for chunk, following in itertools.pairwise(chunks):
        with pytest.raises(PolicyError, match="over the limit"):
            policy_json([*chunk, following[0]])


def test_given_one_statement_over_the_limit_then_splitting_refuses_it_by_sid() -> None:
    resources = tuple(f"arn:aws:s3:::estate-archive-{index:03d}/*" for index in range(200))
    huge = Statement("ReadEverything", ("s3:GetObject",), resources)

    with pytest.raises(PolicyError, match=r"statement ReadEverything: about \d+ characters alone"):
        split_into_managed_policies([huge])


def test_given_unresolved_arns_then_each_counts_at_its_budget() -> None:
    arn = pulumi.Output.from_input("arn:aws:s3:::estate-reports/*")
    statement = Statement("Read", ("s3:GetObject",), (arn,))

    assert split_into_managed_policies([statement], unresolved_chars=200) == ((statement,),)
    with pytest.raises(PolicyError, match=r"statement Read: about \d+ characters alone"):
        split_into_managed_policies([statement], unresolved_chars=MANAGED_POLICY_MAX_CHARS)


def test_given_distinct_unresolved_arns_then_none_is_taken_for_a_duplicate() -> None:
    outputs = tuple(pulumi.Output.from_input(f"arn:aws:s3:::b{index}/*") for index in range(40))
    statement = Statement("Read", ("s3:GetObject",), outputs)

    # 40 ARNs at 200 characters each cannot fit one managed policy: no de-duplication.
    with pytest.raises(PolicyError, match=r"statement Read: about \d+ characters alone"):
        split_into_managed_policies([statement], unresolved_chars=200)


def test_given_chunks_of_output_arns_then_each_resolved_document_fits(resolve: Resolve) -> None:
    def program() -> pulumi.Output[list[str]]:
        statements = [
            Statement(
                f"Read{index:02d}",
                ("s3:GetObject", "s3:GetObjectVersion"),
                (pulumi.Output.concat("arn:aws:s3:::estate-archive-", str(index), "/*"),),
            )
            for index in range(80)
        ]
        chunks = split_into_managed_policies(statements)
        return pulumi.Output.all(*[policy_document(chunk) for chunk in chunks])

    documents = resolve(program)

    assert len(documents) > 1
    assert all(policy_size(document) <= MANAGED_POLICY_MAX_CHARS for document in documents)
    assert sum(len(json.loads(d)["Statement"]) for d in documents) == 80
