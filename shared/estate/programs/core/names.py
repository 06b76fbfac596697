"""Every physical name of the core stack, from estate.naming, in one place."""

from __future__ import annotations

from dataclasses import dataclass

from estate.naming import ResourceKind, account_prefix, bucket_name, resource_name


@dataclass(frozen=True)
class CoreNames:
    """Names of one account's core resources (regional singletons: no region in the name)."""

    account: str
    account_id: str
    project: str = "core"

    def of(self, kind: ResourceKind, purpose: str) -> str:
        """The name of the ``purpose`` resource of ``kind``."""
        return resource_name(
            kind, account=self.account, region=None, project=self.project, purpose=purpose
        )

    def bucket(self, purpose: str) -> str:
        """A globally unique bucket name."""
        return bucket_name(
            account=self.account,
            account_id=self.account_id,
            region=None,
            project=self.project,
            purpose=purpose,
        )

    def function(self, purpose: str) -> str:
        """A Lambda function's name."""
        return self.of(ResourceKind.LAMBDA_FUNCTION, purpose)

    def role(self, purpose: str) -> str:
        """The execution role of the ``purpose`` function."""
        return self.of(ResourceKind.IAM_ROLE, purpose)

    def alarm_arn_pattern(self, region: str) -> str:
        """Every estate alarm of the account in ``region`` (observability's publish to the
        alert topic): CloudWatch alarm names start with the account's prefix."""
        return (
            f"arn:aws:cloudwatch:{region}:{self.account_id}:alarm:{account_prefix(self.account)}*"
        )
