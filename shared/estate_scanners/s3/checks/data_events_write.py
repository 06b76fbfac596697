"""s3.data_events_write: a multi-Region trail records every bucket's object-level writes (S3.22)."""

from __future__ import annotations

from estate_scanners.s3.check_model import AccountCheck, Remediation, Verdict
from estate_scanners.s3.checks._data_events import judge_data_events
from estate_scanners.s3.facts import AccountFacts, Fact


def data_events_write(account: AccountFacts) -> Verdict:
    """FAIL unless some multi-Region trail logs write data events for all S3 buckets."""
    return judge_data_events(account, "write")


CHECK = AccountCheck(
    check_id="s3.data_events_write",
    title="A multi-Region trail records write data events for every S3 bucket",
    severity="MEDIUM",
    severity_reason=(
        "Without it no record says who overwrote or deleted which object: an incident "
        "cannot be scoped, though nothing is exposed. Security Hub rates S3.22 MEDIUM."
    ),
    controls=("SecurityHub:S3.22",),
    remediation=Remediation(
        "Add an advanced event selector (eventCategory Data, resources.type "
        "AWS::S3::Object, readOnly false) to a multi-Region trail.",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html",
    ),
    needs=frozenset({Fact.TRAILS}),
    judge=data_events_write,
)
