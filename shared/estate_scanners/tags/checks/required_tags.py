"""ec2.required_tags: the instance carries every tag the account's rules require, with allowed values.

Maps to Security Hub control EC2.38 ("EC2 instances should be tagged", in the AWS Resource
Tagging Standard), whose severity is LOW; ours is LOW too. EC2.38 only checks keys; this
check also checks values. The judgement is the one `s3.required_tags` uses
(`estate_scanners.tags.evaluate`).
"""

from __future__ import annotations

from estate_scanners.tags.check_model import (
    InstanceCheck,
    InstanceSubject,
    Remediation,
    Verdict,
    failed,
    passed,
)
from estate_scanners.tags.evaluate import evaluate_tags


def required_tags(subject: InstanceSubject) -> Verdict:
    """FAIL when a required key is missing or a value breaks its rule."""
    instance = subject.instance
    judgement = evaluate_tags(instance.tags, subject.tag_rules.rules)
    if judgement.status == "FAIL":
        return failed(
            f"Instance {instance.instance_id} breaks the tag rules: {judgement.summary()}.",
            **judgement.evidence(),
        )
    return passed(
        f"Instance {instance.instance_id} carries every required tag "
        f"({', '.join(judgement.required)}) with an allowed value.",
        **judgement.evidence(),
    )


CHECK = InstanceCheck(
    check_id="ec2.required_tags",
    title="The instance carries every required tag with an allowed value",
    severity="LOW",
    severity_reason="Security Hub rates EC2.38 LOW: a tagging gap is governance, not exposure.",
    controls=("SecurityHub:EC2.38",),
    remediation=Remediation(
        "Tag the instance with every required key and an allowed value.",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/Using_Tags.html",
    ),
    judge=required_tags,
)
