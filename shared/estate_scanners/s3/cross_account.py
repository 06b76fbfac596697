"""Which principals of other accounts a bucket policy lets write, delete or change access.

"Blocked" actions are the write class of `public_access` — `s3:Put*` (objects,
policy, ACLs, configuration), `s3:Delete*`, `s3:AbortMultipartUpload`,
`s3:RestoreObject` — which includes Security Hub S3.6's list
(PutBucketPolicy, DeleteBucketPolicy, PutBucketAcl, PutObjectAcl,
PutEncryptionConfiguration). Replication grants (`s3:Replicate*`) are not blocked.

Our decisions:
- Explicit account principals count: an `AWS` principal that is an account id or an
  ARN naming one. Service and federated principals name no account (a federated one
  makes the statement public: the public checks report it). A canonical-user principal
  names an account by an id this module cannot map to an account number without the
  ACL's owner, so it is not counted (a known gap). A bare unique id (a deleted role) can
  no longer be used by anyone.
- A public principal (`*`) counts the accounts its positive conditions on the
  *principal-side* keys name: `aws:PrincipalAccount` (an account id) and
  `aws:PrincipalArn` (an ARN whose account field is fixed). Such a statement is not
  public (`conditions` calls it limited), yet it grants exactly those accounts. Source
  keys (`aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOwner`) are left out: AWS
  sets them only when a service principal calls on behalf of a resource, so they name
  the resource's account, not the caller's. An unlimited `*` stays the public checks'
  business.
- Otherwise conditions are not considered (like the AWS Config rule behind S3.6):
  principals of another account keep access to blocked actions whatever the condition
  says about where they call from. The statements are in the evidence for a reviewer.
- `RestrictPublicBuckets` (bucket or account): the S3 User Guide, "Blocking public
  access to your Amazon S3 storage", "Block public access settings"
  (`public_access.S3_BPA`): "Amazon S3 blocks public and cross-account access derived
  from any public access point or bucket policy, including non-public delegation to
  specific accounts". And, from "How Amazon S3 evaluates a bucket policy that contains
  both public and non-public access grants": "if you remove statement 3 from the
  policy, then the policy doesn't qualify as public, and RestrictPublicBuckets no
  longer applies. Thus, "Account-2" regains access". So the grants are neutralised
  only when the policy is public and the flag is on (the check does this).
- Which statements are public is `public_access.read_statement`'s business (the
  document's rules); docs/checks.md, "The meaning of public", has both summarised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from estate_scanners.s3.conditions import LIMITING_OPERATORS
from estate_scanners.s3.facts import BucketPolicy
from estate_scanners.s3.policy import PolicyStatement
from estate_scanners.s3.public_access import POLICY_ACTIONS, Access, allows_any

BLOCKED_ACTIONS = POLICY_ACTIONS[Access.WRITE]

_ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
# Condition keys that say which account the *caller* belongs to.
PRINCIPAL_ACCOUNT_KEYS = frozenset({"aws:principalaccount", "aws:principalarn"})


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
        # A NotPrincipal Allow grants to everyone but the named (IAM "NotPrincipal With
        # Allow"): the public checks report it; it names no account to list here.
        if not statement.allows or statement.not_principal:
            continue
        if not allows_any(statement, BLOCKED_ACTIONS):
            continue
        named = {
            account
            for principal in statement.principals
            if principal.kind == "AWS" and (account := account_of(principal.value)) is not None
        }
        if any(principal.is_public for principal in statement.principals):
            # "*" pinned by aws:PrincipalAccount/aws:PrincipalArn is not public (read under
            # "An AWS principal, user, role, or service principal"), yet it grants exactly
            # the accounts those keys name.
            named |= caller_accounts_in_conditions(statement)
        accounts = named - {own_account}
        if accounts:
            grants.append(CrossAccountGrant(statement, tuple(sorted(accounts))))
    return tuple(grants)


def caller_accounts_in_conditions(statement: PolicyStatement) -> set[str]:
    """Accounts that positive `aws:PrincipalAccount` / `aws:PrincipalArn` conditions name."""
    return {
        account
        for condition in statement.conditions
        if condition.operator.removeprefix("ForAnyValue:") in LIMITING_OPERATORS
        and condition.key in PRINCIPAL_ACCOUNT_KEYS
        for value in condition.values
        if (account := account_of(value)) is not None
    }
