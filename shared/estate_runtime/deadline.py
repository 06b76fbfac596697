"""When to stop taking new work: the Lambda deadline minus a reserve for wrapping up."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Protocol

DEFAULT_RESERVE_MS: Final = 15_000


class LambdaContext(Protocol):
    """The one part of Lambda's context object a deadline needs."""

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before Lambda stops the invocation."""


@dataclass(frozen=True)
class Deadline:
    """Answers "is there time for one more unit of work?".

    ``reserve_ms`` is kept back for what follows the last unit: flushing the report part,
    publishing metrics and returning the continuation.
    """

    remaining_ms: Callable[[], float]
    reserve_ms: float = 0.0

    @classmethod
    def from_context(
        cls, context: LambdaContext, reserve_ms: float = DEFAULT_RESERVE_MS
    ) -> Deadline:
        """The deadline of a Lambda invocation; asks the context each time (Lambda's clock)."""
        return cls(lambda: float(context.get_remaining_time_in_millis()), reserve_ms)

    @classmethod
    def after_ms(cls, budget_ms: float, reserve_ms: float = 0.0) -> Deadline:
        """A deadline ``budget_ms`` from now on the monotonic clock (command line, benchmarks)."""
        end = time.monotonic() + budget_ms / 1000.0
        return cls(lambda: (end - time.monotonic()) * 1000.0, reserve_ms)

    @classmethod
    def unbounded(cls) -> Deadline:
        """No deadline: every unit of work fits."""
        return cls(lambda: float("inf"))

    def should_stop(self, expected_ms_for_next_unit: float = 0.0) -> bool:
        """True when the next unit, expected to take this long, would eat into the reserve."""
        return self.remaining_ms() - self.reserve_ms < expected_ms_for_next_unit
