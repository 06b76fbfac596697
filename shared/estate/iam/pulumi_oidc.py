"""Trust for Pulumi Deployments through OIDC: one Pulumi organisation, exact stack operations.

Pulumi Cloud issues every deployment a token from ``https://api.pulumi.com/oidc`` whose
audience (``aud``) is the organisation's name and whose subject (``sub``) is
``pulumi:deploy:org:<org>:project:<project>:stack:<stack>:operation:<operation>:scope:write``
(Pulumi's "OIDC token claims" reference for Deployments). As for GitHub (github_oidc.py),
the trust matches both with ``StringEquals`` on exact values: a list of subjects already
means "any of these"; no ``StringLike``, no wildcard.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from estate.iam.errors import PolicyError
from estate.iam.trust import TrustStatement, web_identity_trust_statement

PULUMI_OIDC_HOST = "api.pulumi.com/oidc"
PULUMI_OIDC_URL = f"https://{PULUMI_OIDC_HOST}"
PULUMI_OPERATIONS = frozenset(
    {"preview", "update", "refresh", "destroy", "detect-drift", "remediate-drift"}
)
"""The operations Pulumi Deployments runs (its REST API's ``operation`` values)."""

# Pulumi organisation, project and stack names: letters, digits, '-', '_', '.'.
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@dataclass(frozen=True)
class DeploymentOperation:
    """One operation Pulumi Deployments runs on one stack of one project."""

    project: str
    stack: str
    operation: str

    def __post_init__(self) -> None:
        for what in ("project", "stack"):
            _check_name(what, getattr(self, what))
        if self.operation not in PULUMI_OPERATIONS:
            raise PolicyError(
                f"Pulumi Deployments operation {self.operation!r} is none of "
                f"{sorted(PULUMI_OPERATIONS)}; name one of them"
            )

    def claim(self, organization: str) -> str:
        """The ``sub`` Pulumi Cloud presents for this operation in ``organization``."""
        return (
            f"pulumi:deploy:org:{organization}:project:{self.project}:stack:{self.stack}"
            f":operation:{self.operation}:scope:write"
        )


def pulumi_subject_claims(
    organization: str, operations: Sequence[DeploymentOperation]
) -> tuple[str, ...]:
    """The exact ``sub`` values of ``operations`` in the Pulumi ``organization``, sorted."""
    _check_name("organization", organization)
    if isinstance(operations, DeploymentOperation) or not operations:
        raise PolicyError(
            f"Pulumi Deployments trust for {organization}: operations {operations!r}; give a "
            "non-empty sequence of DeploymentOperation(project, stack, operation)"
        )
    for operation in operations:
        if not isinstance(operation, DeploymentOperation):
            raise PolicyError(
                f"Pulumi Deployments trust: {operation!r} is no DeploymentOperation; use one"
            )
    return tuple(sorted({operation.claim(organization) for operation in operations}))


def pulumi_deployments_trust_statement(
    *,
    provider_arn: pulumi.Input[str],
    organization: str,
    operations: Sequence[DeploymentOperation],
) -> TrustStatement:
    """The trust statement admitting exactly ``operations`` of ``organization``'s Deployments."""
    return web_identity_trust_statement(
        sid="TrustPulumiDeployments",
        provider_arn=provider_arn,
        issuer_host=PULUMI_OIDC_HOST,
        audience=organization,
        subjects=pulumi_subject_claims(organization, operations),
    )


def _check_name(what: str, name: str) -> None:
    if not isinstance(name, str) or not _NAME.fullmatch(name) or name.strip(".") == "":
        raise PolicyError(
            f"Pulumi {what} {name!r} is not 1-100 letters, digits and _.- (no wildcard, no "
            "colon); spell it exactly as Pulumi Cloud shows it"
        )
