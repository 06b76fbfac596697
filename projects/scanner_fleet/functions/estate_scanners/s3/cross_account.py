"""Which principals of other accounts a bucket policy lets write, delete or change access.

"Blocked" actions are the write class of `public_access` — `s3:Put*` (objects,
policy, ACLs, configuration), `s3:Delete*`, `s3:AbortMultipartUpload`,
`s3:RestoreObject` — which includes Security Hub S3.6's list
(PutBucketPolicy, DeleteBucketPolicy, PutBucketAcl, PutObjectAcl,
PutEncryptionConfiguration). Replication grants (`s3:Replicate*`) are not blocked.

Our decisions:
- Only explicit account principals count: an `AWS` principal that is an account id
  or an ARN naming one. `*` is the public checks' business; service, federated and
  canonical-user principals name no account; a bare unique id (a deleted role) can
  no longer be used by anyone.
- Conditions are not considered (like the AWS Config rule behind S3.6): principals
  of another account keep access to blocked actions whatever the condition says about
  where they call from. The statements are in the evidence for a reviewer.
- `RestrictPublicBuckets` (bucket or account) blocks "public and cross-account
  access within any public bucket policy, including non-public delegation to
  specific accounts" (S3 docs): when the policy is public and the flag is on, the
  grants are neutralised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from estate_scanners.s3.facts import BucketPolicy
from estate_scanners.s3.policy import PolicyStatement
from estate_scanners.s3.public_access import POLICY_ACTIONS, Access, allows_any

BLOCKED_ACTIONS = POLICY_ACTIONS[Access.WRITE]

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")


@dataclass(frozen=True, slots=True)
class CrossAccountGrant:
    """One statement giving blocked actions to principals of other accounts."""

    statement: PolicyStatement
    accounts: tuple[str, ...]


def account_of(principal_value: str) -> str | None:
    """The account an AWS principal value names: a bare id or the 5th field of an ARN."""
    if _ACCOUNT_ID.match(principal_value):
        return principal_value
    parts = principal_value.split(":")
    if len(parts) >= 6 and parts[0] == "arn" and _ACCOUNT_ID.match(parts[4]):
        return parts[4]
    return None


def cross_account_grants(policy: BucketPolicy, own_account: str) -> tuple[CrossAccountGrant, ...]:
    """Allow statements that give blocked actions to principals of accounts other than ours."""
    grants: list[CrossAccountGrant] = []
    for statement in policy.statements:
        if not statement.allows or statement.not_principal:
            continue
        if not allows_any(statement, BLOCKED_ACTIONS):
            continue
        accounts = {
            account
            for principal in statement.principals
            if principal.kind == "AWS"
            and (account := account_of(principal.value)) is not None
            and account != own_account
        }
        if accounts:
            grants.append(CrossAccountGrant(statement, tuple(sorted(accounts))))
    return tuple(grants)
