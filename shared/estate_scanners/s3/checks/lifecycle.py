"""s3.lifecycle: at least one lifecycle rule is enabled.

Security Hub S3.13 asks every bucket for a lifecycle rule; S3.10 asks the same of buckets
whose versioning is Enabled, so a finding maps to S3.10 only when the bucket is versioned.
A versioning status that could not be read leaves S3.10 out (the decision itself does not
depend on it, so the check still judges) and says so in the evidence.
"""

from __future__ import annotations

from typing import Any

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
from estate_scanners.s3.facts import Fact, FetchError

VERSIONED_CONTROL = "SecurityHub:S3.10"


def lifecycle(subject: BucketSubject) -> Verdict:
    """FAIL when the bucket has no lifecycle configuration or none of its rules is enabled."""
    bucket = subject.bucket
    configuration = present(bucket.lifecycle)
    rules = configuration.rules if configuration is not None else ()
    evidence: dict[str, Any] = {
        "rules": [
            {"id": rule.rule_id, "enabled": rule.enabled, "actions": list(rule.actions)}
            for rule in rules
        ],
        "not_configured_code": not_configured_code(bucket.lifecycle),
    }
    versioned, evidence["versioning"] = _versioning(subject)
    enabled = [rule for rule in rules if rule.enabled]
    if not enabled:
        described = "only disabled lifecycle rules" if rules else "no lifecycle rule"
        verdict = failed(f"Bucket {bucket.name} has {described}.", **evidence)
    else:
        verdict = passed(
            f"Bucket {bucket.name} has {len(enabled)} enabled lifecycle rule(s).", **evidence
        )
    return verdict.with_controls(VERSIONED_CONTROL) if versioned else verdict


def _versioning(subject: BucketSubject) -> tuple[bool, dict[str, Any]]:
    """Whether the bucket is versioned (S3.10 applies), and that fact as evidence."""
    fetched = subject.bucket.versioning
    if isinstance(fetched, FetchError):
        return False, {"status": None, "error": fetched.as_evidence()}
    state = present(fetched)
    status = state.status if state is not None else None
    return status == "Enabled", {"status": status}


CHECK = BucketCheck(
    check_id="s3.lifecycle",
    title="A lifecycle rule is enabled",
    severity="LOW",
    severity_reason=(
        "Retention and cost hygiene: old objects and versions pile up, but nothing is exposed."
    ),
    controls=("SecurityHub:S3.13",),
    remediation=Remediation(
        "Add an enabled lifecycle rule that expires or transitions old objects and noncurrent versions.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-to-set-lifecycle-configuration-intro.html",
    ),
    conditional_controls=((VERSIONED_CONTROL, "versioned"),),
    needs=frozenset({Fact.LIFECYCLE, Fact.VERSIONING}),
    # Unreadable versioning only drops S3.10; unreadable lifecycle is ERROR via `present`.
    judges_partial_facts=True,
    judge=lifecycle,
)
