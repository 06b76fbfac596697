"""The account's GitHub Actions OIDC identity provider."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"


@dataclass(frozen=True)
class GitHubOidcArgs:
    """Who may present tokens: only STS, as the audience GitHub's aws actions request."""

    audiences: tuple[str, ...] = (STS_AUDIENCE,)

    def __post_init__(self) -> None:
        if (
            not isinstance(self.audiences, tuple)
            or not self.audiences
            or not all(isinstance(a, str) and a and "*" not in a for a in self.audiences)
        ):
            raise ValueError(
                f"GitHubOidcArgs.audiences {self.audiences!r}: give a non-empty tuple of "
                f"exact audiences, e.g. ({STS_AUDIENCE!r},)"
            )


class GitHubOidc(pulumi.ComponentResource):
    """The IAM OIDC provider that lets GitHub Actions jobs assume roles without stored keys."""

    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: GitHubOidcArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("estate:org-iam:GitHubOidc", name, None, opts)
        # Protected: deleting it locks every CI job of the account out at once.
        provider = aws.iam.OpenIdConnectProvider(
            f"{name}-provider",
            url=GITHUB_OIDC_URL,
            client_id_lists=list(args.audiences),
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        self.arn = provider.arn
        self.register_outputs({"arn": self.arn})
