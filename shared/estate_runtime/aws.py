"""Sessions and clients for the account being scanned: retries, timeouts, roles, endpoints.

Every client comes from one ``TargetSession`` and is cached per (service, region): built
once, reused for every bucket or instance. Lambda ships its own boto3, whose defaults may
differ from ours, so the retry mode and attempts are always set explicitly, and each client
gets a retry quota sized to the threads sharing it (estate_runtime.retries) and the guard
that turns an empty answer into an error (estate_runtime.responses).

Assumed-role credentials are fetched once and last ``ASSUMED_ROLE_SECONDS`` (one hour): far
beyond a Lambda's 15 minutes; a command-line scan longer than that must be split. The
session into a target account names the scan: ``RoleSessionName`` is ``estate-<scan id>``
and, from the scanner functions, ``SourceIdentity`` is the scan id too, so CloudTrail in the
target account ties every call to its scan (the target role's trust must then allow
``sts:SetSourceIdentity`` to the function's role; docs/reliability.md).
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config

from estate_runtime.events import EventInvalid
from estate_runtime.responses import refuse_empty_documents
from estate_runtime.retries import (
    DEFAULT_MAX_ATTEMPTS,
    RETRY_MODE,
    quota_capacity,
    size_retry_quota,
)

DEFAULT_MAX_POOL_CONNECTIONS: Final = 64  # as many as the S3 analyzer's threads
DEFAULT_CONNECT_TIMEOUT_S: Final = 5.0
DEFAULT_READ_TIMEOUT_S: Final = 20.0
DEFAULT_REGION: Final = "us-east-1"
ASSUMED_ROLE_SECONDS: Final = 3600
# IAM: RoleSessionName and SourceIdentity are 2-64 characters of [\w+=,.@-].
SESSION_NAME_LIMIT: Final = 64
SESSION_NAME_PATTERN: Final = re.compile(r"[\w+=,.@-]{2,64}")
SESSION_NAME_PREFIX: Final = "estate-"


def client_config(
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    max_pool_connections: int = DEFAULT_MAX_POOL_CONNECTIONS,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_S,
    read_timeout: float = DEFAULT_READ_TIMEOUT_S,
) -> Config:
    """Standard retries with a bounded attempt count (estate_runtime.retries says why), a
    connection pool sized for the scan's threads, and timeouts that fail a hung call
    instead of the whole Lambda.

    ``max_attempts`` counts every attempt, the first included. It is passed to botocore as
    ``total_max_attempts``: botocore's own ``max_attempts`` key counts *retries* only (one
    more call than its name suggests).
    """
    if not 1 <= max_attempts <= 20:
        raise ValueError("max_attempts must be between 1 and 20")
    if max_pool_connections < 1:
        raise ValueError("max_pool_connections must be at least 1")
    return Config(
        retries={"mode": RETRY_MODE, "total_max_attempts": max_attempts},
        max_pool_connections=max_pool_connections,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )


@dataclass
class TargetSession:
    """One account's credentials, its clients (cached per service and region) and its id."""

    boto_session: boto3.Session
    default_region: str
    config: Config = field(default_factory=client_config)
    endpoint_url: str | None = None
    _clients: dict[tuple[str, str], Any] = field(default_factory=dict, init=False, repr=False)
    _account_id: str | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def client(self, service: str, region: str | None = None) -> Any:
        """The client of ``service`` in ``region`` (default region if None), built once."""
        key = (service, region or self.default_region)
        with self._lock:
            cached = self._clients.get(key)
            if cached is None:
                cached = self._build_client(*key)
                self._clients[key] = cached
            return cached

    def account_id(self) -> str:
        """The account these credentials act in (STS GetCallerIdentity, asked once)."""
        if self._account_id is None:
            identity = self.client("sts").get_caller_identity()
            self._account_id = str(identity["Account"])
        return self._account_id

    def _build_client(self, service: str, region: str) -> Any:
        config = self.config
        if self.endpoint_url and service == "s3":
            # An emulator or an S3-compatible store rarely resolves bucket.<host> names.
            config = config.merge(Config(s3={"addressing_style": "path"}))
        client = self.boto_session.client(
            service, region_name=region, endpoint_url=self.endpoint_url, config=config
        )
        if self.endpoint_url and service == "s3control":
            pin_endpoint_host(client, self.endpoint_url)
        refuse_empty_documents(client)
        retries = config.retries or {}
        if retries.get("mode") == RETRY_MODE:
            attempts = int(retries.get("total_max_attempts", DEFAULT_MAX_ATTEMPTS))
            threads = config.max_pool_connections or 1
            size_retry_quota(client, quota_capacity(threads, attempts), attempts)
        return client


def pin_endpoint_host(client: Any, endpoint_url: str) -> None:
    """Keep S3 Control requests on the custom endpoint's own host.

    botocore's endpoint rules put the account id in front of the host
    (``http://123456789012.127.0.0.1:5000/...``), which does not resolve for a custom
    endpoint. The hook runs before signing, so the signature covers the host actually used.
    """
    endpoint_host = urlsplit(endpoint_url).netloc

    def restore_host(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        if parts.netloc != endpoint_host and parts.netloc.endswith(f".{endpoint_host}"):
            request.url = urlunsplit(parts._replace(netloc=endpoint_host))

    client.meta.events.register("before-sign.s3-control", restore_host)


def target_session(
    *,
    role_arn: str | None = None,
    external_id: str | None = None,
    region: str | None = None,
    endpoint_url: str | None = None,
    profile: str | None = None,
    session_name: str = "estate-scanner",
    source_identity: str | None = None,
    config: Config | None = None,
) -> TargetSession:
    """A session for the account to scan: the ambient credentials (or ``profile``), then
    AssumeRole into ``role_arn`` (with ``external_id``, and ``source_identity`` when given)."""
    if external_id is not None and role_arn is None:
        raise ValueError("external_id only makes sense with role_arn")
    for label, value in (("session_name", session_name), ("source_identity", source_identity)):
        if value is not None and not SESSION_NAME_PATTERN.fullmatch(value):
            raise ValueError(f"{label} {value!r} is not 2-64 characters of [\\w+=,.@-]")
    base = boto3.Session(profile_name=profile, region_name=region)
    chosen_region = region or base.region_name or DEFAULT_REGION
    client_settings = config or client_config()
    if role_arn is None:
        return TargetSession(base, chosen_region, client_settings, endpoint_url)
    home = TargetSession(base, chosen_region, client_settings, endpoint_url)
    assume = assume_role_params(role_arn, external_id, session_name, source_identity)
    credentials = home.client("sts").assume_role(**assume)["Credentials"]
    assumed = boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=chosen_region,
    )
    return TargetSession(assumed, chosen_region, client_settings, endpoint_url)


def assume_role_params(
    role_arn: str, external_id: str | None, session_name: str, source_identity: str | None
) -> dict[str, Any]:
    """The AssumeRole request into a target account: named after the scan, and carrying
    ``SourceIdentity`` when given (the role's trust must allow ``sts:SetSourceIdentity``)."""
    assume: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": session_name,
        "DurationSeconds": ASSUMED_ROLE_SECONDS,
    }
    if external_id is not None:
        assume["ExternalId"] = external_id
    if source_identity is not None:
        assume["SourceIdentity"] = source_identity
    return assume


def session_name_for(scan_id: str, prefix: str = SESSION_NAME_PREFIX) -> str:
    """``<prefix><scan id>`` within IAM's 64 characters: a longer scan id keeps its start and
    gains an 8-hex digest of the whole id, so two long ids never share a session name.

    Scan ids (estate_runtime.events) use ``A-Za-z0-9._-``, all allowed in session names.
    """
    name = f"{prefix}{scan_id}"
    if len(name) <= SESSION_NAME_LIMIT:
        return name
    digest = hashlib.sha256(scan_id.encode()).hexdigest()[:8]
    return f"{name[: SESSION_NAME_LIMIT - 9]}-{digest}"


def confirm_account(session: TargetSession, expected: str | None) -> str:
    """The account the session acts in; EventInvalid when the event's ``expected`` names another."""
    actual = session.account_id()
    if expected is not None and expected != actual:
        raise EventInvalid("account_id", f"{expected} but the credentials act in account {actual}")
    return actual
