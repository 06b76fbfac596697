"""The account's Pulumi Cloud OIDC identity provider (Pulumi Deployments' tokens)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from estate.iam import PULUMI_OIDC_URL

_ORGANIZATION = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@dataclass(frozen=True)
class PulumiOidcArgs:
    """Who may present tokens: Pulumi Deployments of one organisation (its name is the
    tokens' audience)."""

    organization: str

    def __post_init__(self) -> None:
        if not isinstance(self.organization, str) or not _ORGANIZATION.fullmatch(self.organization):
            raise ValueError(
                f"PulumiOidcArgs.organization {self.organization!r}: give the Pulumi "
                "organisation's exact name (accounts/organization.yaml pulumi_org)"
            )


class PulumiOidc(pulumi.ComponentResource):
    """The IAM OIDC provider that lets Pulumi Deployments assume roles without stored keys."""

    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: PulumiOidcArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:org-iam:PulumiOidc", name, None, opts)
        # Protected, like GitHub's: a trust anchor; the guard rails deny every role its writes.
        provider = aws.iam.OpenIdConnectProvider(
            f"{name}-provider",
            url=PULUMI_OIDC_URL,
            client_id_lists=[args.organization],
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        self.arn = provider.arn
        self.register_outputs({"arn": self.arn})
