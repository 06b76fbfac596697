"""Run the tag checks: a verdict per instance, and ERROR (never FAIL) for a region never read."""

from __future__ import annotations

from typing import Final

from estate_runtime.responses import code_and_message
from estate_scanners.check_model import MESSAGE_LIMIT, Verdict, errored, run_judge
from estate_scanners.tags.check_model import InstanceCheck, InstanceSubject
from estate_scanners.tags.collector import RegionOutcome

OPERATION: Final = "DescribeInstances"


def judge_instance(check: InstanceCheck, subject: InstanceSubject) -> Verdict:
    """The check's verdict on one instance (ERROR if the judge crashes)."""
    return run_judge(check, lambda: check.judge(subject))


def unreadable_region(outcome: RegionOutcome) -> Verdict:
    """ERROR for a region whose paging failed: its instances (beyond the pages read) were
    never seen, so no check can say they pass or fail."""
    code, detail = code_and_message(outcome.error) if outcome.error else ("Unknown", "")
    read = f" after {outcome.pages} page(s) were read" if outcome.pages else ""
    return errored(
        f"{OPERATION} failed in {outcome.region} ({code}){read}; instances of that "
        f"region {'beyond those pages ' if outcome.pages else ''}were not checked.",
        operation=OPERATION,
        error_code=code,
        error_message=detail[:MESSAGE_LIMIT],
        pages_read_before_error=outcome.pages,
    )
