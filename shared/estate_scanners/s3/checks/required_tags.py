"""s3.required_tags: the bucket carries every tag the account's rules require, with allowed values.

The rules and their judgement are the EC2 tag checker's (`estate_scanners.tags`), reused
as they are: one definition of "compliant tags" for instances and buckets alike.
"""

from __future__ import annotations

from estate_scanners.s3.check_model import (
    BucketCheck,
    BucketSubject,
    Remediation,
    Verdict,
    failed,
    passed,
    present,
)
from estate_scanners.s3.facts import Fact, Tags
from estate_scanners.tags.evaluate import evaluate_tags


def required_tags(subject: BucketSubject) -> Verdict:
    """FAIL when a required key is missing or a value breaks its rule."""
    bucket = subject.bucket
    tags = present(bucket.tags) or Tags()
    rules = subject.tag_rules.rules
    if not rules:
        return passed(
            f"Bucket {bucket.name} is not held to any required tag: the account sets no rule.",
            required=[],
        )
    judgement = evaluate_tags(tags.values, rules)
    evidence = judgement.evidence()
    if judgement.status == "FAIL":
        return failed(
            f"Bucket {bucket.name} breaks the required-tag rules: {judgement.summary()}.",
            **evidence,
        )
    return passed(
        f"Bucket {bucket.name} carries every required tag ({', '.join(judgement.required)}).",
        **evidence,
    )


CHECK = BucketCheck(
    check_id="s3.required_tags",
    title="The bucket carries the account's required tags",
    severity="MEDIUM",
    severity_reason=(
        "Untagged buckets have no known owner or cost centre: their findings reach nobody "
        "and their data escapes ownership-based policies."
    ),
    controls=(),
    remediation=Remediation(
        "Tag the bucket with every required key and an allowed value.",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/CostAllocTagging.html",
    ),
    needs=frozenset({Fact.TAGS}),
    judge=required_tags,
)
