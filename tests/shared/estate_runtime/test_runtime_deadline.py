"""Stopping before the Lambda deadline, with a reserve for wrapping up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from estate_runtime.deadline import Deadline


def test_a_context_deadline_stops_when_the_next_unit_would_eat_the_reserve(
    lambda_context: Callable[..., Any],
) -> None:
    context = lambda_context(remaining_ms=20_000)
    deadline = Deadline.from_context(context, reserve_ms=15_000)
    assert not deadline.should_stop(expected_ms_for_next_unit=4_000)
    assert deadline.should_stop(expected_ms_for_next_unit=6_000)


def test_the_context_is_asked_each_time_so_time_passing_is_seen(
    lambda_context: Callable[..., Any],
) -> None:
    context = lambda_context(remaining_ms=3_000, ms_per_check=1_000)
    deadline = Deadline.from_context(context, reserve_ms=500)
    decisions = [deadline.should_stop(1_000) for _ in range(4)]
    assert decisions == [False, False, True, True]
    assert context.checks == 4


def test_an_unbounded_deadline_never_stops() -> None:
    assert not Deadline.unbounded().should_stop(expected_ms_for_next_unit=10**12)


def test_a_budget_deadline_counts_from_now() -> None:
    assert not Deadline.after_ms(60_000).should_stop(1_000)
    assert Deadline.after_ms(0).should_stop(1)
    assert Deadline.after_ms(60_000, reserve_ms=59_500).should_stop(1_000)
