"""org-iam's components check their arguments when built: one line naming what is wrong."""

from __future__ import annotations

from typing import Any

import pytest

from estate.iam import Effect, Statement
from estate.naming import NamingError, ProjectNames, ResourceKind
from estate.programs.org_iam.ci_role import CiRoleArgs
from estate.programs.org_iam.github_oidc import GitHubOidcArgs
from estate.programs.org_iam.policies import Scope
from estate.programs.org_iam.pulumi_oidc import PulumiOidcArgs

NAMES = ProjectNames(account="dev", account_id="111111111111", project="org-iam")
WHO_AM_I = Statement(sid="WhoAmI", actions=("sts:GetCallerIdentity",), resources=("*",))
VALID: dict[str, Any] = {
    "names": NAMES,
    "purpose": "preview",
    "description": "Read-only",
    "trust_policy": "{}",
    "statements": [WHO_AM_I],
    "boundary_arn": "arn:aws:iam::111111111111:policy/b",
}


def test_valid_arguments_name_the_role_and_its_policies_with_the_names_helper() -> None:
    args = CiRoleArgs(**VALID)
    assert args.role_name == NAMES.name(ResourceKind.IAM_ROLE, "preview")
    assert args.policy_name(1).startswith("estate-dev-org-iam-preview-1-")


@pytest.mark.parametrize(
    ("field", "bad", "error", "message"),
    [
        ("names", "estate-dev-", TypeError, "CiRoleArgs.names"),
        ("purpose", " -- ", NamingError, "purpose"),
        ("description", "", ValueError, "CiRoleArgs.description"),
        ("description", "x\ny", ValueError, "CiRoleArgs.description"),
        ("statements", [], ValueError, "CiRoleArgs.statements"),
        ("statements", ["s3:GetObject"], TypeError, "CiRoleArgs.statements"),
        ("max_session_seconds", 60, ValueError, "CiRoleArgs.max_session_seconds"),
        ("boundary_arn", None, ValueError, "needs guard_rails"),
        ("guard_rails", [WHO_AM_I], ValueError, "CiRoleArgs.guard_rails"),
        ("guard_rails", WHO_AM_I, ValueError, "CiRoleArgs.guard_rails"),
    ],
)
def test_a_bad_argument_is_refused_in_one_line_naming_it(
    field: str, bad: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message) as refused:
        CiRoleArgs(**{**VALID, field: bad})
    assert "\n" not in str(refused.value)


def test_a_role_without_a_boundary_carries_deny_guard_rails_in_their_own_policy() -> None:
    deny = Statement(
        sid="KeepX",
        effect=Effect.DENY,
        actions=("iam:DeleteRole",),
        resources=("arn:aws:iam::111111111111:role/x",),
    )
    args = CiRoleArgs(**{**VALID, "boundary_arn": None, "guard_rails": [deny]})
    assert args.guards_name.startswith("estate-dev-org-iam-preview-guards-")


@pytest.mark.parametrize("organization", ["", "acme*", "a:b", 7])
def test_the_pulumi_oidc_audience_is_the_organisations_exact_name(organization: Any) -> None:
    with pytest.raises(ValueError, match=r"PulumiOidcArgs\.organization"):
        PulumiOidcArgs(organization=organization)


@pytest.mark.parametrize("audiences", [(), ("",), ("*",), ["sts.amazonaws.com"]])
def test_oidc_audiences_must_be_exact(audiences: Any) -> None:
    with pytest.raises(ValueError, match=r"GitHubOidcArgs\.audiences"):
        GitHubOidcArgs(audiences=audiences)


def test_the_scope_refuses_prefixes_not_built_by_the_names_helper() -> None:
    with pytest.raises(ValueError, match="must extend the account prefix"):
        Scope(
            account="dev",
            account_id="111111111111",
            regions=("eu-west-1",),
            prefix="estate-dev-",
            own_prefix="estate-prod-org-iam-",
            workload_boundary_arn="arn:aws:iam::111111111111:policy/estate-prod-org-iam-w",
        )
    with pytest.raises(ValueError, match="not an org-iam policy"):
        Scope(
            account="dev",
            account_id="111111111111",
            regions=("eu-west-1",),
            prefix="estate-dev-",
            own_prefix="estate-dev-org-iam-",
            workload_boundary_arn="arn:aws:iam::111111111111:policy/estate-dev-core-w",
        )
