"""Record the HTTP responses of one scan, then replay them after a fixed network latency.

A response is keyed by (service, operation, signing region, request identity): the host,
path and sorted query of the URL (bucket, subresource, ListBuckets paging) and the sorted
form body (DescribeInstances filters and NextToken). Recording pairs each `before-send`
(the key, per thread) with its `before-parse` (the raw response); replaying answers
`before-send` with the recorded status, headers and body after sleeping the latency, so
botocore still builds, signs, parses and retries every call for real — and nothing
leaves the process. A request that was never recorded raises `UnrecordedRequest`.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from botocore.awsrequest import AWSResponse
from urllib3.response import HTTPResponse

_SIGNING_REGION = re.compile(r"Credential=[^/]+/[0-9]{8}/([a-z0-9-]+)/")


class UnrecordedRequest(RuntimeError):
    """The replay met a request the recording does not hold."""


@dataclass(frozen=True, slots=True)
class Recorded:
    """One HTTP response as the server sent it."""

    status: int
    headers: dict[str, str]
    body: bytes


def request_key(event_name: str, request: Any) -> str:
    """The key of one request: service, operation, signing region, URL and form body."""
    _, service, operation = event_name.split(".")[:3]
    authorization = request.headers.get("Authorization", b"")
    if isinstance(authorization, bytes):
        authorization = authorization.decode("utf-8")
    match = _SIGNING_REGION.search(authorization)
    region = match.group(1) if match else "-"
    url = urlsplit(request.url)
    query = sorted(parse_qsl(url.query, keep_blank_values=True))
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    form = sorted(parse_qsl(body.decode("utf-8"), keep_blank_values=True)) if body else []
    return json.dumps([service, operation, region, url.netloc + url.path, query, form])


def operation_of(key: str) -> str:
    """`service.Operation` of a key."""
    service, operation = json.loads(key)[:2]
    return f"{service}.{operation}"


@dataclass
class Recorder:
    """Collects the responses a session's clients receive (attach before building clients)."""

    responses: dict[str, Recorded] = field(default_factory=dict)
    repeated: Counter[str] = field(default_factory=Counter)
    _pending: threading.local = field(default_factory=threading.local)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, events: Any) -> None:
        """Register on a boto3 Session's (or client's) event system."""
        events.register("before-send", self._on_send)
        events.register("before-parse", self._on_response)

    def _on_send(self, request: Any, event_name: str, **_: Any) -> None:
        self._pending.key = request_key(event_name, request)

    def _on_response(self, response_dict: dict[str, Any], **_: Any) -> None:
        key = self._pending.key
        recorded = Recorded(
            status=int(response_dict["status_code"]),
            headers={str(k): str(v) for k, v in response_dict["headers"].items()},
            body=bytes(response_dict["body"]),
        )
        with self._lock:
            if key in self.responses:
                self.repeated[key] += 1
            self.responses[key] = recorded

    def save(self, path: Path) -> None:
        """Write the recording as gzip JSON Lines (bodies base64)."""
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as stream:
            for key, recorded in self.responses.items():
                line = [key, recorded.status, recorded.headers]
                line.append(base64.b64encode(recorded.body).decode("ascii"))
                stream.write(json.dumps(line) + "\n")


def load(path: Path) -> dict[str, Recorded]:
    """A recording written by `Recorder.save`."""
    responses: dict[str, Recorded] = {}
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        for line in stream:
            key, status, headers, body = json.loads(line)
            responses[key] = Recorded(int(status), headers, base64.b64decode(body))
    return responses


@dataclass
class Replayer:
    """Answers every request from a recording after `latency_s`, counting calls per key."""

    responses: dict[str, Recorded]
    latency_s: float
    calls: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def attach(self, events: Any) -> None:
        """Register on a boto3 Session's (or client's) event system."""
        events.register("before-send", self._respond)

    def reset(self) -> None:
        """Forget the calls counted so far."""
        with self._lock:
            self.calls.clear()
            self.misses.clear()

    def per_operation(self) -> Counter[str]:
        """Calls per `service.Operation`."""
        counted: Counter[str] = Counter()
        for key, calls in self.calls.items():
            counted[operation_of(key)] += calls
        return counted

    def problems(self, shown: int = 3) -> list[str]:
        """Requests that were never recorded or were sent more than once (the first few)."""
        repeated = [f"{calls}x {key}" for key, calls in self.calls.items() if calls > 1]
        unrecorded = [f"unrecorded {key}" for key in self.misses]
        return unrecorded[:shown] + repeated[:shown]

    def _respond(self, request: Any, event_name: str, **_: Any) -> AWSResponse:
        key = request_key(event_name, request)
        time.sleep(self.latency_s)  # the network's round trip; releases the GIL as one does
        recorded = self.responses.get(key)
        with self._lock:
            self.calls[key] += 1
            if recorded is None:
                self.misses.append(key)
        if recorded is None:
            raise UnrecordedRequest(key)
        return AWSResponse(
            request.url,
            recorded.status,
            recorded.headers,
            HTTPResponse(body=io.BytesIO(recorded.body), preload_content=False),
        )
