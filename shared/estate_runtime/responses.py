"""Answers that carry no usable document are errors, never "nothing configured".

A 200 with an empty body, where the operation's answer is a document (S3's
GetPublicAccessBlock, GetBucketVersioning, EC2's DescribeInstances ...), is what a broken
proxy or a cut connection leaves; botocore parses it as an empty structure, which reads as
"no block", "never versioned", "no instances" — a false FAIL or a silent gap. A guard on
every client turns it into ``UnusableResponse`` before parsing, and garbage or truncated
XML already raises botocore's ``ResponseParserError``: ``UNUSABLE_RESPONSE`` names both,
so callers record an ERROR (and give the item its second chance, estate_runtime.retries).
"""

from __future__ import annotations

from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError


class UnusableResponse(BotoCoreError):  # type: ignore[misc]  # botocore has no stubs
    """A successful status whose body holds no document where the operation returns one."""

    fmt = "{operation} answered HTTP {status} with an empty body where a document was expected"


UNUSABLE_RESPONSE: Final = (UnusableResponse, ResponseParserError)


def expects_document(operation_model: Any) -> bool:
    """Whether the operation's answer carries members in its body (not only headers)."""
    shape = operation_model.output_shape
    if shape is None or operation_model.has_streaming_output:
        return False
    return any(member.serialization.get("location") is None for member in shape.members.values())


def refuse_empty_documents(client: Any) -> None:
    """Register the empty-body guard on every operation of ``client``."""
    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"before-parse.{service}", _refuse_empty_document)


def _refuse_empty_document(operation_model: Any, response_dict: Any, **_: Any) -> None:
    status = int(response_dict.get("status_code", 0))
    body = response_dict.get("body") or b""
    if 200 <= status < 300 and expects_document(operation_model) and not bytes(body).strip():
        raise UnusableResponse(operation=operation_model.name, status=status)


def code_and_message(error: BaseException) -> tuple[str, str]:
    """The AWS error code and message of a failed call (the exception's type name for
    failures without one; ``UnparseableResponse`` for garbage or truncated XML)."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return str(details.get("Code") or "Unknown"), str(details.get("Message") or error)
    if isinstance(error, ResponseParserError):
        return "UnparseableResponse", str(error)
    return type(error).__name__, str(error)
