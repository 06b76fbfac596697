"""What the tag checker fetches of one instance: the facts its judges read, and nothing more.

Kept apart from the collector (which pages DescribeInstances through botocore) so that check
modules stay pure: they import this and `check_model`, never an AWS client library.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Instance:
    """What the tag check needs of one instance."""

    region: str
    instance_id: str
    owner_id: str
    tags: Mapping[str, str]
