"""The scanner functions' environment settings, read with one-line errors.

``REPORTS_BUCKET`` (required) and ``REPORTS_KMS_KEY_ID`` (optional) say where findings go;
they are written with the function's *own* credentials, never the scanned account's.

The bucket is confirmed with one HeadBucket before the scan starts (once per warm
process): a misnamed bucket then fails naming the variable, instead of at the first
PutObject after minutes of scanning. HeadBucket needs ``s3:ListBucket`` on the reports
bucket, which the functions hold anyway to list and delete stale parts: no new permission.
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import cache
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from estate_runtime.aws import target_session
from estate_runtime.report_writer import S3Sink

REPORTS_BUCKET: Final = "REPORTS_BUCKET"
REPORTS_KMS_KEY_ID: Final = "REPORTS_KMS_KEY_ID"


class SettingInvalid(ValueError):
    """An environment variable that is missing or malformed."""


def env_int(name: str, default: int, *, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer environment variable within bounds, or ``default`` when unset or empty."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingInvalid(f"environment variable {name}={raw!r} is not an integer") from None
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"{minimum}..{maximum}" if maximum is not None else f">= {minimum}"
        raise SettingInvalid(f"environment variable {name}={value} is outside {bounds}")
    return value


def reports_sink(scan_started: datetime | None = None) -> S3Sink:
    """The reports bucket named by the environment, confirmed to exist, as a sink whose
    parts declare ``scan_started`` (see ``S3Sink``)."""
    bucket = os.environ.get(REPORTS_BUCKET)
    if not bucket:
        raise SettingInvalid(f"environment variable {REPORTS_BUCKET} is not set")
    confirm_reports_bucket(bucket)
    return S3Sink(
        reports_client(), bucket, os.environ.get(REPORTS_KMS_KEY_ID) or None, scan_started
    )


@cache
def confirm_reports_bucket(bucket: str) -> None:
    """HeadBucket once per process; a missing or unreachable bucket is a SettingInvalid."""
    try:
        reports_client().head_bucket(Bucket=bucket)
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        code = error.response.get("Error", {}).get("Code", "Error")
        reason = "does not exist" if status == 404 else f"cannot be reached ({code})"
        raise SettingInvalid(
            f"environment variable {REPORTS_BUCKET}={bucket!r}: the bucket {reason}; "
            f"set it to the reports bucket the function may write"
        ) from None
    except BotoCoreError as error:
        raise SettingInvalid(
            f"environment variable {REPORTS_BUCKET}={bucket!r}: cannot reach the bucket ({error})"
        ) from None


@cache
def reports_client() -> Any:
    # Built once per process: warm invocations reuse it. AWS_REGION is set by Lambda.
    return target_session(region=os.environ.get("AWS_REGION")).client("s3")
