"""s3.tls_only: the bucket policy denies every request not made over TLS."""

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
from estate_scanners.s3.transport import tls_enforcement


def tls_only(subject: BucketSubject) -> Verdict:
    """FAIL unless Deny statements whose only condition is aws:SecureTransport=false cover the
    bucket and its objects (an extra condition narrows the Deny, so it is not credited)."""
    bucket = subject.bucket
    policy = present(bucket.policy)
    if policy is None:
        return failed(
            f"Bucket {bucket.name} has no bucket policy, so nothing denies requests without TLS.",
            has_policy=False,
            not_configured_code=not_configured_code(bucket.policy),
        )
    enforcement = tls_enforcement(policy, bucket.arn)
    evidence = {
        "has_policy": True,
        "bucket_arn": bucket.arn,
        "statements_covering_bucket": list(enforcement.covering_bucket),
        "statements_covering_objects": list(enforcement.covering_objects),
    }
    if enforcement.enforced:
        return passed(
            f"Bucket {bucket.name}'s policy denies requests made without TLS.", **evidence
        )
    missing = [
        what
        for what, covered in (
            ("the bucket", enforcement.covering_bucket),
            ("its objects", enforcement.covering_objects),
        )
        if not covered
    ]
    return failed(
        f"Bucket {bucket.name}'s policy does not deny requests without TLS to "
        f"{' or '.join(missing)}.",
        **evidence,
    )


CHECK = BucketCheck(
    check_id="s3.tls_only",
    title="The bucket policy requires TLS",
    severity="MEDIUM",
    severity_reason=(
        "Plain HTTP exposes data and credentials in transit, but exploiting it needs a "
        "network position and a client that opts out of HTTPS (SDKs use HTTPS by default)."
    ),
    controls=("SecurityHub:S3.5",),
    remediation=Remediation(
        "Add a bucket-policy statement that denies every s3:* action to everyone when aws:SecureTransport is false.",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-5",
    ),
    needs=frozenset({Fact.POLICY}),
    judge=tls_only,
)
