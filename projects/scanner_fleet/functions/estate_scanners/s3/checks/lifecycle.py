"""s3.lifecycle: at least one lifecycle rule is enabled."""

from __future__ import annotations

from estate_scanners.s3.check_model import (
    BucketCheck,
    BucketSubject,
    Verdict,
    failed,
    not_configured_code,
    passed,
    present,
)
from estate_scanners.s3.facts import Fact


def lifecycle(subject: BucketSubject) -> Verdict:
    """FAIL when the bucket has no lifecycle configuration or none of its rules is enabled."""
    bucket = subject.bucket
    configuration = present(bucket.lifecycle)
    rules = configuration.rules if configuration is not None else ()
    evidence = {
        "rules": [
            {"id": rule.rule_id, "enabled": rule.enabled, "actions": list(rule.actions)}
            for rule in rules
        ],
        "not_configured_code": not_configured_code(bucket.lifecycle),
    }
    enabled = [rule for rule in rules if rule.enabled]
    if not enabled:
        described = "only disabled lifecycle rules" if rules else "no lifecycle rule"
        return failed(f"Bucket {bucket.name} has {described}.", **evidence)
    return passed(f"Bucket {bucket.name} has {len(enabled)} enabled lifecycle rule(s).", **evidence)


CHECK = BucketCheck(
    check_id="s3.lifecycle",
    title="A lifecycle rule is enabled",
    severity="LOW",
    severity_reason=(
        "Retention and cost hygiene: old objects and versions pile up, but nothing is exposed."
    ),
    # S3.13 asks every bucket for a lifecycle rule; S3.10 asks the same of versioned buckets.
    controls=("SecurityHub:S3.13", "SecurityHub:S3.10"),
    needs=frozenset({Fact.LIFECYCLE}),
    judge=lifecycle,
)
