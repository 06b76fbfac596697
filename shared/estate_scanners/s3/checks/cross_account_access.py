"""s3.cross_account_access: no other account may write, delete or change access in the bucket."""

from __future__ import annotations

from estate_scanners.s3.check_model import (
    BucketCheck,
    BucketSubject,
    Remediation,
    Verdict,
    errored,
    failed,
    passed,
    present,
)
from estate_scanners.s3.checks._public import block_evidence
from estate_scanners.s3.cross_account import BLOCKED_ACTIONS, cross_account_grants
from estate_scanners.s3.facts import Fact
from estate_scanners.s3.public_access import RESTRICT_PUBLIC_BUCKETS, neutraliser, policy_is_public


def cross_account_access(subject: BucketSubject) -> Verdict:
    """FAIL when the policy gives principals of other accounts blocked actions, un-neutralised."""
    bucket, account = subject.bucket, subject.account
    policy = present(bucket.policy)
    if policy is None:
        return passed(
            f"Bucket {bucket.name} has no bucket policy, so it grants nothing to other accounts.",
            has_policy=False,
        )
    grants = cross_account_grants(policy, account.account_id)
    evidence = {
        "has_policy": True,
        "blocked_actions": list(BLOCKED_ACTIONS),
        "grants": [
            {"accounts": list(grant.accounts), "statement": grant.statement.as_evidence()}
            for grant in grants
        ],
    }
    if not grants:
        return passed(
            f"Bucket {bucket.name}'s policy gives no other account write, delete or "
            "access-changing actions.",
            **evidence,
        )
    accounts = sorted({account_id for grant in grants for account_id in grant.accounts})
    if policy_is_public(policy):
        # RestrictPublicBuckets also cuts cross-account grants of a *public* policy.
        guard = neutraliser(
            RESTRICT_PUBLIC_BUCKETS, bucket.public_access_block, account.public_access_block
        )
        evidence |= {
            "policy_is_public": True,
            "restrict_public_buckets_at": list(guard.levels_on),
            "bucket_block": block_evidence(bucket.public_access_block),
            "account_block": block_evidence(account.public_access_block),
        }
        if guard.on is True:
            return passed(
                f"Bucket {bucket.name}'s policy grants other accounts blocked actions, but "
                "RestrictPublicBuckets cuts cross-account access to this public policy.",
                **evidence,
            )
        if guard.on is None:
            return errored(
                f"Could not tell whether RestrictPublicBuckets cuts the cross-account grants of "
                f"bucket {bucket.name}'s public policy: a public access block could not be read.",
                **evidence,
            )
    return failed(
        f"Bucket {bucket.name}'s policy lets account(s) {', '.join(accounts)} write, delete or "
        "change access.",
        **evidence,
    )


CHECK = BucketCheck(
    check_id="s3.cross_account_access",
    title="Other accounts cannot write, delete or change access",
    severity="HIGH",
    severity_reason=(
        "Another account's principals can alter or destroy the data or take over its access "
        "control; the blast radius is someone else's security posture."
    ),
    controls=("SecurityHub:S3.6",),
    remediation=Remediation(
        "Remove the bucket-policy and ACL grants that let other accounts write, delete or change access, or pin them to your organization with aws:PrincipalOrgID.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/example-bucket-policies.html",
    ),
    needs=frozenset({Fact.POLICY, Fact.PUBLIC_ACCESS_BLOCK, Fact.ACCOUNT_PUBLIC_ACCESS_BLOCK}),
    judges_partial_facts=True,
    judge=cross_account_access,
)
