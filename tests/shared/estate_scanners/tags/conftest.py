"""Fixtures of the tag checker's tests: the dev account's rules, instances in moto, and
DescribeInstances pages crafted by hand (moto pages by reservation, AWS by instance)."""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import pytest
from botocore.awsrequest import AWSResponse
from urllib3.response import HTTPResponse

from estate_scanners.tags.rules import TagRule, parse_rules

# The rules accounts/dev.yaml sets, in the JSON form estate.accounts produces.
DEV_RULES_JSON: list[dict[str, Any]] = [
    {"key": "Owner", "values": None, "pattern": "^[a-z0-9._-]+@acme\\.example$"},
    {"key": "Environment", "values": ["dev", "staging", "prod"], "pattern": None},
    {"key": "CostCenter", "values": None, "pattern": "^[0-9]{4}$"},
]
GOOD_TAGS: dict[str, str] = {
    "Owner": "jane.doe@acme.example",
    "Environment": "dev",
    "CostCenter": "1234",
}
AMI = "ami-12c6146b"  # one of moto's built-in images


@pytest.fixture
def dev_rules_json() -> list[dict[str, Any]]:
    """The dev account's rules in their JSON (event) form."""
    return [dict(rule) for rule in DEV_RULES_JSON]


@pytest.fixture
def dev_rules() -> tuple[TagRule, ...]:
    """The dev account's rules, parsed."""
    return parse_rules(DEV_RULES_JSON)


@pytest.fixture
def good_tags() -> dict[str, str]:
    """Tags that satisfy every dev rule."""
    return dict(GOOD_TAGS)


@pytest.fixture
def launch() -> Callable[..., list[str]]:
    """``launch(ec2, count, tags)``: run ``count`` instances in one reservation; their ids."""

    def run(ec2: Any, count: int = 1, tags: Mapping[str, str] | None = None) -> list[str]:
        request: dict[str, Any] = {"ImageId": AMI, "MinCount": count, "MaxCount": count}
        if tags:
            request["TagSpecifications"] = [
                {
                    "ResourceType": "instance",
                    "Tags": [{"Key": key, "Value": value} for key, value in tags.items()],
                }
            ]
        reservation = ec2.run_instances(**request)
        return [instance["InstanceId"] for instance in reservation["Instances"]]

    return run


@dataclass
class CraftedPages:
    """Answers DescribeInstances with the given pages, recording each request's parameters."""

    pages: Sequence[Sequence[tuple[str, Mapping[str, str]]]]
    requests: list[dict[str, list[str]]] = field(default_factory=list)

    def respond(self, request: Any, **_: Any) -> AWSResponse:
        params = parse_qs(
            request.body.decode() if isinstance(request.body, bytes) else request.body
        )
        self.requests.append(params)
        token = params.get("NextToken", ["page-0"])[0]
        index = int(token.removeprefix("page-"))
        next_token = f"page-{index + 1}" if index + 1 < len(self.pages) else None
        return AWSResponse(
            request.url,
            200,
            {},
            HTTPResponse(
                body=io.BytesIO(self._xml(self.pages[index], next_token)), preload_content=False
            ),
        )

    @staticmethod
    def _xml(instances: Sequence[tuple[str, Mapping[str, str]]], next_token: str | None) -> bytes:
        items = "".join(
            "<item><instanceId>{}</instanceId><tagSet>{}</tagSet></item>".format(
                instance_id,
                "".join(
                    f"<item><key>{key}</key><value>{value}</value></item>"
                    for key, value in tags.items()
                ),
            )
            for instance_id, tags in instances
        )
        token = f"<nextToken>{next_token}</nextToken>" if next_token else ""
        return (
            '<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
            "<requestId>crafted</requestId><reservationSet><item>"
            "<reservationId>r-crafted</reservationId><ownerId>123456789012</ownerId>"
            f"<instancesSet>{items}</instancesSet></item></reservationSet>{token}"
            "</DescribeInstancesResponse>"
        ).encode()


@pytest.fixture
def crafted_pages() -> Callable[..., CraftedPages]:
    """``crafted_pages(ec2_client, pages)``: that client's DescribeInstances returns ``pages``
    (lists of ``(instance_id, tags)``), one per call, linked by NextToken.

    Use with ``aws_credentials``, not ``mocked_aws``: botocore calls *every* before-send
    handler and keeps the first response, so moto's handler would still see each request
    (and choke on the crafted tokens)."""

    def install(
        client: Any, pages: Sequence[Sequence[tuple[str, Mapping[str, str]]]]
    ) -> CraftedPages:
        crafted = CraftedPages(pages)
        client.meta.events.register("before-send.ec2.DescribeInstances", crafted.respond)
        return crafted

    return install
