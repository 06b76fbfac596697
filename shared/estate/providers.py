"""Explicit AWS providers for a stack: one per region, pinned to the stack's account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from estate.accounts import Account, Organization
from estate.tags import standard_tags


@dataclass(frozen=True)
class StackProviders:
    """The providers of one stack, by region; the primary region's serve global services."""

    account: Account
    aws_by_region: Mapping[str, aws.Provider]
    native_by_region: Mapping[str, aws_native.Provider]

    def aws(self, region: str | None = None) -> aws.Provider:
        """The pulumi-aws provider of `region` (default: the account's primary region)."""
        return self.aws_by_region[self._region(region)]

    def native(self, region: str | None = None) -> aws_native.Provider:
        """The pulumi-aws-native provider of `region` (default: the primary region)."""
        return self.native_by_region[self._region(region)]

    def opts(self, region: str | None = None, **options: object) -> pulumi.ResourceOptions:
        """ResourceOptions carrying the pulumi-aws provider of `region`."""
        return pulumi.ResourceOptions(provider=self.aws(region), **options)  # type: ignore[arg-type]

    def _region(self, region: str | None) -> str:
        region = region or self.account.primary_region
        if region not in self.aws_by_region:
            listed = ", ".join(self.aws_by_region)
            raise KeyError(
                f"account {self.account.name} does not list region {region!r}; it lists {listed}"
            )
        return region


def stack_tags(account: Account, organization: Organization, project: str) -> dict[str, str]:
    """The default tags of every resource the stack creates."""
    return standard_tags(
        organization_tags=organization.tags,
        account=account.name,
        stage=account.stage.value,
        project=project,
    )


def make_providers(account: Account, organization: Organization, project: str) -> StackProviders:
    """Create the stack's providers: region pinned, account allow-listed, tags by default."""
    tags = stack_tags(account, organization, project)
    aws_providers: dict[str, aws.Provider] = {}
    native_providers: dict[str, aws_native.Provider] = {}
    for region in account.regions:
        aws_providers[region] = aws.Provider(
            f"aws-{region}",
            aws.ProviderArgs(
                region=region,
                allowed_account_ids=[account.account_id],
                default_tags=aws.ProviderDefaultTagsArgs(tags=tags),
                assume_roles=(
                    [
                        aws.ProviderAssumeRoleArgs(
                            role_arn=account.assume_role_arn, session_name=f"estate-{project}"
                        )
                    ]
                    if account.assume_role_arn
                    else None
                ),
            ),
        )
        native_providers[region] = aws_native.Provider(
            f"aws-native-{region}",
            aws_native.ProviderArgs(
                region=region,
                allowed_account_ids=[account.account_id],
                default_tags=aws_native.ProviderDefaultTagsArgs(tags=tags),
                assume_role=(
                    aws_native.ProviderAssumeRoleArgs(
                        role_arn=account.assume_role_arn, session_name=f"estate-{project}"
                    )
                    if account.assume_role_arn
                    else None
                ),
            ),
        )
    return StackProviders(
        account=account, aws_by_region=aws_providers, native_by_region=native_providers
    )
