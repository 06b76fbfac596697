"""What both scanner handlers do around their scan: reach the target, mind the deadline, report.

``SCAN_RESERVE_MS`` is the time kept back from the Lambda deadline (default 15,000 ms) for
what follows the last unit of work: the last part, the metrics and the answer.
"""

from __future__ import annotations

import os
from typing import Any, Final

from aws_lambda_powertools import Logger

from estate_runtime.aws import (
    TargetSession,
    client_config,
    confirm_account,
    session_name_for,
    target_session,
)
from estate_runtime.deadline import DEFAULT_RESERVE_MS, Deadline, LambdaContext
from estate_runtime.events import ScanTarget
from estate_runtime.metrics import ScanCounters, publish_scan_metrics
from estate_runtime.settings import SettingInvalid, env_int

SCAN_RESERVE_MS: Final = "SCAN_RESERVE_MS"


def reach_target(target: ScanTarget, *, max_pool_connections: int) -> tuple[TargetSession, str]:
    """A session in the event's target account (its role, the function's region) and the id
    of the account it acts in, which must be the event's ``account_id`` when one is given.

    The assumed session is named after the scan and carries it as ``SourceIdentity``.
    """
    name = session_name_for(target.scan_id)
    session = target_session(
        role_arn=target.role_arn,
        external_id=target.external_id,
        session_name=name,
        source_identity=name,
        region=os.environ.get("AWS_REGION"),
        config=client_config(max_pool_connections=max_pool_connections),
    )
    return session, confirm_account(session, target.account_id)


def invocation_deadline(context: LambdaContext) -> Deadline:
    """The invocation's deadline, with ``SCAN_RESERVE_MS`` kept back; refused when the reserve
    leaves no time at all.

    With the reserve at or above the time left at start, every run would stop before its
    first unit and hand back the continuation it was given: the orchestrator would rerun it
    forever. Refusing at once (``SettingInvalid``) surfaces the misconfiguration on the
    first invocation. Forcing one unit of progress instead was rejected: that unit would run
    into the time kept for writing its part and the continuation, and a function killed by
    its timeout loses the unit and returns no continuation — the same loop, silently.
    """
    reserve_ms = env_int(SCAN_RESERVE_MS, DEFAULT_RESERVE_MS, minimum=0)
    remaining_ms = context.get_remaining_time_in_millis()
    if remaining_ms <= reserve_ms:
        raise SettingInvalid(
            f"environment variable {SCAN_RESERVE_MS}={reserve_ms} leaves no time to scan: the "
            f"invocation started with {remaining_ms} ms left; raise the function timeout "
            f"above {SCAN_RESERVE_MS} or lower {SCAN_RESERVE_MS}"
        )
    return Deadline.from_context(context, reserve_ms=reserve_ms)


def finish_run(
    logger: Logger, message: str, counters: ScanCounters, summary: dict[str, Any]
) -> dict[str, Any]:
    """Publish the run's metrics, log its summary under ``message``, and return the summary."""
    publish_scan_metrics(counters)
    logger.info(message, extra={"summary": summary, "elapsed_ms": counters.elapsed_ms})
    return summary
