"""The IAM actions the tag checker needs in a target account: its one call, DescribeInstances.

The collector (``collector.fetch_instance_page``) makes no other AWS call in the target
account; a test runs a scan on moto, records every operation and holds the two equal.
"""

from __future__ import annotations

from typing import Final

# (operation the collector calls, IAM action that allows it)
OPERATIONS: Final = (("ec2", "DescribeInstances", "ec2:DescribeInstances"),)


def required_iam_actions() -> frozenset[str]:
    """The IAM actions the tag checker needs in the account it scans."""
    return frozenset(action for _, _, action in OPERATIONS)
