"""s3.replication: at least one replication rule is enabled."""

from __future__ import annotations

from estate_scanners.s3.check_model import (
    BucketCheck,
    BucketSubject,
    Remediation,
    Verdict,
    failed,
    not_configured_code,
    passed,
    present,
)
from estate_scanners.s3.facts import Fact


def replication(subject: BucketSubject) -> Verdict:
    """FAIL when the bucket has no replication configuration or no enabled rule."""
    bucket = subject.bucket
    configuration = present(bucket.replication)
    rules = configuration.rules if configuration is not None else ()
    evidence = {
        "role": configuration.role if configuration is not None else None,
        "rules": [
            {"id": r.rule_id, "enabled": r.enabled, "destination_bucket": r.destination_bucket}
            for r in rules
        ],
        "not_configured_code": not_configured_code(bucket.replication),
    }
    enabled = [rule for rule in rules if rule.enabled]
    if not enabled:
        described = "only disabled replication rules" if rules else "no replication rule"
        return failed(f"Bucket {bucket.name} has {described}.", **evidence)
    destinations = sorted({r.destination_bucket for r in enabled if r.destination_bucket})
    return passed(
        f"Bucket {bucket.name} replicates to {', '.join(destinations) or 'a destination'}.",
        **evidence,
    )


CHECK = BucketCheck(
    check_id="s3.replication",
    title="Replication is configured",
    severity="LOW",
    severity_reason=(
        "Resilience, not exposure: versioning and backups already cover most losses; "
        "replication guards against losing a region."
    ),
    controls=("SecurityHub:S3.7",),
    remediation=Remediation(
        "Add a replication rule to a bucket in another Region (versioning must be on in both).",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-walkthrough1.html",
    ),
    needs=frozenset({Fact.REPLICATION}),
    judge=replication,
)
