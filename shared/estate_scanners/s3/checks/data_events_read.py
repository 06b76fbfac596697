"""s3.data_events_read: a multi-Region trail records every bucket's object-level reads (S3.23)."""

from __future__ import annotations

from estate_scanners.s3.check_model import AccountCheck, Remediation, Verdict
from estate_scanners.s3.checks._data_events import judge_data_events
from estate_scanners.s3.facts import AccountFacts, Fact


def data_events_read(account: AccountFacts) -> Verdict:
    """FAIL unless some multi-Region trail logs read data events for all S3 buckets."""
    return judge_data_events(account, "read")


CHECK = AccountCheck(
    check_id="s3.data_events_read",
    title="A multi-Region trail records read data events for every S3 bucket",
    severity="LOW",
    severity_reason=(
        "It tells who read which object after a leak, but read events are the bulk of S3 "
        "traffic and costly to keep, and many accounts rightly log them only for "
        "sensitive buckets (Security Hub rates S3.23 MEDIUM)."
    ),
    controls=("SecurityHub:S3.23",),
    remediation=Remediation(
        "Add an advanced event selector (eventCategory Data, resources.type "
        "AWS::S3::Object, readOnly true) to a multi-Region trail.",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html",
    ),
    needs=frozenset({Fact.TRAILS}),
    judge=data_events_read,
)
