"""Reads for facts that take more than one call: pages, and a follow-up call per item.

Each read makes only read-only calls and returns one response-shaped mapping for its
parser. A failed call raises (botocore's ClientError), and the collector turns that into
the fact's FetchError, with one exception: a trail whose event selectors cannot be read
is recorded as such, so the other trails still decide the check (an organization trail
seen from a member account may refuse GetEventSelectors).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from botocore.exceptions import ClientError

# "All requests to create or maintain Multi-Region Access Points are routed to the US West
# (Oregon) Region" (S3 User Guide, Multi-Region Access Point restrictions).
MULTI_REGION_CONTROL_REGION: Final = "us-west-2"
MAX_PAGES: Final = 1000


def pages(call: Callable[..., Mapping[str, Any]], **params: Any) -> Iterator[Mapping[str, Any]]:
    """Every page of a `NextToken`-paged call; a token that repeats is an error, not a loop."""
    seen: set[str] = set()
    token: str | None = None
    for _ in range(MAX_PAGES):
        page = call(**params, **({"NextToken": token} if token else {}))
        yield page
        token = page.get("NextToken") or None
        if token is None:
            return
        if token in seen:
            raise ValueError(f"paging token {token!r} repeated")
        seen.add(token)
    raise ValueError(f"more than {MAX_PAGES} pages")


def bucket_access_points(client: Any, params: Mapping[str, str]) -> Mapping[str, Any]:
    """ListAccessPoints for the bucket, then GetAccessPoint for each (the flags live there)."""
    account_id, bucket = params["ExpectedBucketOwner"], params["Bucket"]
    details = [
        client.get_access_point(AccountId=account_id, Name=point["Name"])
        for page in pages(client.list_access_points, AccountId=account_id, Bucket=bucket)
        for point in page.get("AccessPointList", [])
    ]
    return {"AccessPoints": details}


def multi_region_access_points(client: Any, params: Mapping[str, str]) -> Mapping[str, Any]:
    """ListMultiRegionAccessPoints, every page (each report carries its PublicAccessBlock)."""
    return {
        "AccessPoints": [
            point
            for page in pages(client.list_multi_region_access_points, AccountId=params["AccountId"])
            for point in page.get("AccessPoints", [])
        ]
    }


def trails_with_selectors(client: Any, params: Mapping[str, str]) -> Mapping[str, Any]:
    """DescribeTrails (shadow trails included), then GetEventSelectors for each trail by ARN."""
    del params  # CloudTrail calls take no account id: the credentials name the account
    described = client.describe_trails(includeShadowTrails=True).get("trailList", [])
    trails: list[dict[str, Any]] = []
    for trail in described:
        try:
            selectors: Mapping[str, Any] = client.get_event_selectors(
                TrailName=trail.get("TrailARN") or trail["Name"]
            )
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code") or "Unknown")
            selectors = {"Error": code}
        trails.append({"Trail": trail, "Selectors": selectors})
    return {"Trails": trails}
