"""A Lambda handler for the emulator's own tests: it reports what it saw when it ran."""

from __future__ import annotations

import os
from typing import Any

from estate.emulator import running_function


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Echo the event with the running function, the environment and the time left; raise
    when asked to."""
    if event.get("fail"):
        raise RuntimeError("asked to fail")
    return {
        "event": event,
        "running": running_function(),
        "greeting": os.environ.get("GREETING"),
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
