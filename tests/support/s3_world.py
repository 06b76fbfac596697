"""The S3 analyzer tests' world: a moto account to shape, a recorded scan session, faults.

An ``S3World`` (over in-process moto, started by the ``world`` fixture) makes buckets, sets
their configuration and the account-level block, runs the analyzer and reads its findings
back. Its session records every API call (operation, bucket, client region) and every HTTP
request (host, signing region), and can make one bucket's calls fail.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.awsrequest import AWSResponse
from urllib3.response import HTTPResponse

from estate_runtime.aws import TargetSession, client_config
from estate_runtime.report_writer import MemorySink
from estate_scanners.s3.analyzer import scan_buckets
from estate_scanners.scan_result import ScanResult

ACCOUNT_ID = "123456789012"  # moto's default account
OTHER_ACCOUNT_ID = "210987654321"
HOME_REGION = "us-east-1"
SCAN_STARTED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
_SIGNING_REGION = re.compile(r"Credential=[^/]+/[0-9]{8}/([a-z0-9-]+)/")


@dataclass(frozen=True)
class Call:
    """One API call as the client made it (before retries)."""

    service: str
    operation: str
    bucket: str | None
    region: str


@dataclass(frozen=True)
class Sent:
    """One HTTP request as sent (every retry attempt is one)."""

    operation: str
    host: str
    signing_region: str | None


@dataclass
class Recorder:
    """Every call and request a session's clients make."""

    calls: list[Call] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)

    def on_call(
        self, event_name: str, params: dict[str, Any], context: dict[str, Any], **_: Any
    ) -> None:
        _event, service, operation = event_name.split(".")
        self.calls.append(Call(service, operation, params.get("Bucket"), context["client_region"]))

    def on_send(self, request: Any, event_name: str, **_: Any) -> None:
        match = _SIGNING_REGION.search(str(request.headers.get("Authorization", b""), "utf-8"))
        self.sent.append(
            Sent(
                event_name.rsplit(".", maxsplit=1)[-1],
                urlsplit(request.url).netloc,
                match and match.group(1),
            )
        )

    def operations(self) -> list[tuple[str, str]]:
        """(service, operation) of every call, in order."""
        return [(call.service, call.operation) for call in self.calls]


def xml_response(url: str, status: int, body: str) -> AWSResponse:
    """A crafted S3 (rest-xml) HTTP response that goes through botocore's real parsing."""
    return AWSResponse(
        url,
        status,
        {"Content-Type": "application/xml"},
        HTTPResponse(body=io.BytesIO(body.encode()), preload_content=False),
    )


def error_response(url: str, status: int, code: str, message: str) -> AWSResponse:
    """An S3 error response."""
    body = f"<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return xml_response(url, status, body)


def targets_bucket(url: str, bucket: str) -> bool:
    """Whether a request URL addresses the bucket (virtual-host or path style, or S3 Control's
    `?bucket=` filter, as ListAccessPoints sends it)."""
    parts = urlsplit(url)
    return (
        parts.netloc.startswith(f"{bucket}.")
        or parts.path.split("/")[1:2] == [bucket]
        or parse_qs(parts.query).get("bucket") == [bucket]
    )


class S3World:
    """One moto account: buckets to shape, a recorded scanning session, faults to inject."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self.boto = boto3.Session(region_name=HOME_REGION)
        self.boto.events.register("before-parameter-build", self.recorder.on_call)
        self.boto.events.register("before-send", self.recorder.on_send)
        self.session = TargetSession(self.boto, HOME_REGION, client_config(max_attempts=4))
        self.sink = MemorySink()
        self._admin: dict[str, Any] = {}

    def admin(self, region: str = HOME_REGION) -> Any:
        """An unrecorded S3 client for setting the world up."""
        if region not in self._admin:
            self._admin[region] = boto3.client("s3", region_name=region)
        return self._admin[region]

    def bucket(self, name: str, region: str = HOME_REGION, **create: Any) -> str:
        """Create a bucket (in `region`) and return its name."""
        if region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": region}
        self.admin(region).create_bucket(Bucket=name, **create)
        return name

    def account_block(self, **flags: bool) -> None:
        """Set the account-level public access block."""
        boto3.client("s3control", region_name=HOME_REGION).put_public_access_block(
            AccountId=ACCOUNT_ID, PublicAccessBlockConfiguration=block_flags(**flags)
        )

    def access_point(self, bucket: str, name: str, **flags: bool) -> None:
        """Create an access point on the bucket with these block flags (absent ones off)."""
        boto3.client("s3control", region_name=HOME_REGION).create_access_point(
            AccountId=ACCOUNT_ID,
            Name=name,
            Bucket=bucket,
            PublicAccessBlockConfiguration=block_flags(**flags),
        )

    def trail(self, name: str, *, multi_region: bool = True, **selectors: Any) -> None:
        """Create a CloudTrail trail (into a bucket of its own) and set its event selectors."""
        bucket = self.bucket(f"{name}-logs")
        cloudtrail = boto3.client("cloudtrail", region_name=HOME_REGION)
        cloudtrail.create_trail(Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region)
        if selectors:
            cloudtrail.put_event_selectors(TrailName=name, **selectors)

    def bucket_block(self, bucket: str, **flags: bool) -> None:
        """Set a bucket's public access block."""
        self.admin().put_public_access_block(
            Bucket=bucket, PublicAccessBlockConfiguration=block_flags(**flags)
        )

    def policy(self, bucket: str, *statements: dict[str, Any]) -> None:
        """Attach a bucket policy made of these statements."""
        document = {"Version": "2012-10-17", "Statement": list(statements)}
        self.admin().put_bucket_policy(Bucket=bucket, Policy=json.dumps(document))

    def grant_public(self, bucket: str, *permissions: str) -> None:
        """Grant AllUsers these ACL permissions (explicit grants: moto's canned
        public-read-write ACL grants only READ)."""
        current = self.admin().get_bucket_acl(Bucket=bucket)
        grants = current["Grants"] + [
            {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": p} for p in permissions
        ]
        self.admin().put_bucket_acl(
            Bucket=bucket, AccessControlPolicy={"Grants": grants, "Owner": current["Owner"]}
        )

    def fail_bucket(
        self, bucket: str, *, code: str = "AccessDenied", status: int = 403, operation: str = ""
    ) -> list[str]:
        """Every request for `bucket` (of `operation`, or all) is answered with this error."""
        failed: list[str] = []

        def respond(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
            if operation and not event_name.endswith(f".{operation}"):
                return None
            if not targets_bucket(request.url, bucket):
                return None
            failed.append(event_name.rsplit(".", maxsplit=1)[-1])
            return error_response(request.url, status, code, f"{code} injected for {bucket}")

        # More specific than moto's own "before-send" handler, so it answers first.
        self.boto.events.register("before-send.s3", respond)
        self.boto.events.register("before-send.s3-control", respond)
        return failed

    def scan(self, **overrides: Any) -> ScanResult:
        """Run the analyzer over this account into the world's sink."""
        arguments: dict[str, Any] = {
            "account_id": ACCOUNT_ID,
            "scan_id": "scan-test",
            "scan_started": SCAN_STARTED,
            "sink": self.sink,
            "refetch_pause_s": 0.0,  # the second-chance pass without its pause
        }
        return scan_buckets(self.session, **(arguments | overrides))

    def findings(self) -> list[dict[str, Any]]:
        """Every finding stored in the sink."""
        return self.sink.findings()

    def finding(
        self, resource_id: str, check_id: str, scan_id: str = "scan-test"
    ) -> dict[str, Any]:
        """The one stored finding of this scan for this resource and check."""
        matching = [
            f
            for f in self.findings()
            if (f["resource_id"], f["check_id"], f["scan_id"]) == (resource_id, check_id, scan_id)
        ]
        assert len(matching) == 1, f"{len(matching)} findings for {resource_id} {check_id}"
        return matching[0]


def block_flags(**flags: bool) -> dict[str, bool]:
    """A PublicAccessBlockConfiguration: the named flags (snake_case or AWS names), others off."""
    names = {
        "block_public_acls": "BlockPublicAcls",
        "ignore_public_acls": "IgnorePublicAcls",
        "block_public_policy": "BlockPublicPolicy",
        "restrict_public_buckets": "RestrictPublicBuckets",
    }
    configuration = dict.fromkeys(names.values(), False)
    for name, value in flags.items():
        configuration[names.get(name, name)] = value
    return configuration
