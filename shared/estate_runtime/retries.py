"""The scanners' retry budget: standard retries, a bounded attempt count, a quota per caller.

Chosen on purpose (docs/reliability.md has the measurements):

- **standard, not adaptive.** Adaptive mode adds a client-side rate limiter that, after a
  throttling answer, slows *every* thread sharing the client; with S3's SlowDown spread
  over 64 threads it stretched 1,300 calls to 238 s. Standard mode backs off only the call
  that was throttled: jittered exponential, ``rand(0, 1) * base * 2**i``, capped at 20 s.
- **A shorter throttling base: ``THROTTLING_BASE_S`` = 0.25 s** (botocore: 1 s; 5xx and
  resets keep its 50 ms). The analyzer writes a batch of buckets only when its slowest
  item has arrived, so the few calls throttled three or four times in a row set each
  batch's length: with a 1 s base, 20 % SlowDown made a 100-bucket scan 3.4x slower than
  clean; with 0.25 s it stays within 2x (docs/reliability.md). A server that asks for more
  (``x-amz-retry-after``) still gets it, and every call still makes at most six attempts.
- **``DEFAULT_MAX_ATTEMPTS`` = 6 attempts per call** (the first included): at 20 % random
  transient failures a call fails all six with probability 0.2⁶ ≈ 6·10⁻⁵.
- **A retry quota sized to the callers.** botocore gives each client one quota of 500 and
  charges 14 per 5xx retry (5 per throttling retry): it is sized for one caller. Our
  analyzer shares one client per region among up to 64 threads, so 36 concurrent 5xx
  retries drained it and retries the attempt limit allowed were refused (44 in a
  measured run). ``size_retry_quota`` gives the client a quota of
  ``threads * (attempts - 1) * 14``, the most the threads could ever hold at once: the
  attempt limit, not a shared pot, bounds each call.
- **One more chance after the batch** (the collectors): an item whose fetch still failed
  transiently is fetched once more when the batch is done, before it becomes ERROR.

Sizing the quota replaces botocore's standard retry handler on that client with the same
classes built around a larger quota. If a future botocore changes those classes, the
client keeps botocore's own handler (and the scan still runs, with the default quota).
"""

from __future__ import annotations

import logging
from typing import Any, Final

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError
from botocore.retries import quota, standard

from estate_runtime.responses import UNUSABLE_RESPONSE

LOGGER = logging.getLogger(__name__)

RETRY_MODE: Final = "standard"
# First throttling backoff's upper bound (botocore's is 1 s); 5xx and resets keep 50 ms.
THROTTLING_BASE_S: Final = 0.25
DEFAULT_MAX_ATTEMPTS: Final = 6
# botocore's charge for one non-throttling retry (retries.standard.RetryQuotaChecker).
RETRY_COST: Final = 14


class _ScanBackoff(standard.ExponentialBackoff):  # type: ignore[misc]
    """botocore's jittered exponential backoff with a shorter first throttling delay."""

    _DEFAULT_BACKOFF_CONFIG: Final = {
        "throttling_base_scale": THROTTLING_BASE_S,
        "non_throttling_base_scale": 0.05,
    }


def quota_capacity(threads: int, max_attempts: int) -> int:
    """The quota that never refuses a retry the attempt limit allows to ``threads`` callers."""
    return max(1, threads) * max(0, max_attempts - 1) * RETRY_COST


def size_retry_quota(client: Any, capacity: int, max_attempts: int) -> bool:
    """Give ``client`` a standard retry handler whose quota holds ``capacity``.

    Returns False (and leaves botocore's handler) when this botocore's retry classes do not
    have the expected shape.
    """
    try:
        service = client.meta.service_model.service_id.hyphenize()
        adapter = standard.RetryEventAdapter()
        detector = standard.ThrottlingErrorDetector(adapter)
        checker = standard.RetryQuotaChecker(quota.RetryQuota(capacity), detector)
        handler = standard.RetryHandler(
            retry_policy=standard.RetryPolicy(
                retry_checker=standard.StandardRetryConditions(max_attempts=max_attempts),
                retry_backoff=_ScanBackoff(service_name=service, throttling_detector=detector),
            ),
            retry_event_adapter=adapter,
            retry_quota=checker,
        )
    except (AttributeError, ImportError, TypeError):
        LOGGER.debug("botocore's retry classes changed; keeping its default quota", exc_info=True)
        return False
    unique_id = f"retry-config-{service}"
    client.meta.events.unregister(f"needs-retry.{service}", unique_id=unique_id)
    client.meta.events.register(f"needs-retry.{service}", handler.needs_retry, unique_id=unique_id)
    client.meta.events.register(f"after-call.{service}", checker.release_retry_quota)
    return True


# Error codes that mean "try again later", beside any HTTP 5xx (AWS's retry guidance).
TRANSIENT_CODES: Final = frozenset(
    {
        "SlowDown",
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottled",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "EC2ThrottledException",
        "RequestTimeout",
        "RequestTimeoutException",
        "PriorRequestNotComplete",
        "InternalError",
        "ServiceUnavailable",
    }
)


def is_transient(error: BaseException) -> bool:
    """Whether a call that failed this way may succeed if simply made again later:
    throttling, a 5xx, a reset or timed-out connection, an empty or unparseable answer."""
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        code = error.response.get("Error", {}).get("Code", "")
        return int(status) >= 500 or code in TRANSIENT_CODES
    return isinstance(error, (BotocoreConnectionError, HTTPClientError, *UNUSABLE_RESPONSE))
