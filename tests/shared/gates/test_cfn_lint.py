"""The cfn-lint gate: aws-native resources as CloudFormation, checked by AWS's schemas."""

from __future__ import annotations

from typing import Any

import pytest

from estate.gates.cfn_lint import cfn_type, lint_stack, stack_template
from estate.plan.runner import RecordedResource, StackRun

REGION = "eu-west-1"
TARGET = {
    "arn": "arn:aws:states:eu-west-1:111111111111:stateMachine:scan",
    "roleArn": "arn:aws:iam::111111111111:role/scheduler",
    "input": "{}",
}
TLS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": "arn:aws:s3:::b",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}


def _resource(type_: str, name: str, inputs: dict[str, Any]) -> RecordedResource:
    return RecordedResource(type_, name, f"urn:{name}", "", inputs, "", (), False, True)


@pytest.fixture(scope="module")
def run() -> StackRun:
    good = _resource(
        "aws-native:scheduler:Schedule",
        "scan",
        {
            "scheduleExpression": "rate(1 day)",
            "flexibleTimeWindow": {"mode": "FLEXIBLE", "maximumWindowInMinutes": 15},
            "target": TARGET,
        },
    )
    bad = _resource(
        "aws-native:scheduler:Schedule",
        "broken",
        {
            "scheduleExpression": "rate(1 day)",
            "flexibleTimeWindow": {"mode": "SOMETIMES"},
            "target": {"arn": TARGET["arn"]},
        },
    )
    policy = _resource(
        "aws-native:s3:BucketPolicy", "tls", {"bucket": "b", "policyDocument": TLS_ONLY}
    )
    classic = _resource("aws:sqs/queue:Queue", "classic", {"visibilityTimeoutSeconds": -1})
    return StackRun("p", "dev", "111111111111", (good, bad, policy, classic), {})


def test_cfn_lint_names_each_schema_error_of_the_broken_resource_only(run: StackRun) -> None:
    problems = lint_stack(run, REGION)
    assert problems, "the broken schedule must fail"
    assert all(p.startswith("p/dev: aws-native:scheduler:Schedule broken: E") for p in problems)
    assert any("E3030" in p and "SOMETIMES" in p for p in problems)
    assert any("E3003" in p and "RoleArn" in p for p in problems)


def test_the_template_spells_properties_as_cloudformation_but_keeps_free_form_json(
    run: StackRun,
) -> None:
    template, names = stack_template(run, REGION)
    resources = template["Resources"]
    assert set(names.values()) == {
        "aws-native:scheduler:Schedule scan",
        "aws-native:scheduler:Schedule broken",
        "aws-native:s3:BucketPolicy tls",
    }  # pulumi-aws resources have no CloudFormation schema here
    schedule = next(r for r in resources.values() if r["Type"] == "AWS::Scheduler::Schedule")
    assert schedule["Properties"]["FlexibleTimeWindow"] == {
        "Mode": "FLEXIBLE",
        "MaximumWindowInMinutes": 15,
    }
    assert schedule["Properties"]["Target"]["RoleArn"] == TARGET["roleArn"]
    policy = next(r for r in resources.values() if r["Type"] == "AWS::S3::BucketPolicy")
    assert policy["Properties"]["PolicyDocument"] == TLS_ONLY


def test_type_tokens_map_to_cloudformation_types_case_insensitively() -> None:
    known = {"aws::s3::bucket": "AWS::S3::Bucket", "aws::ec2::instance": "AWS::EC2::Instance"}
    assert cfn_type("aws-native:s3:Bucket", known) == "AWS::S3::Bucket"
    assert cfn_type("aws-native:ec2:Instance", known) == "AWS::EC2::Instance"
    assert cfn_type("aws:s3/bucket:Bucket", known) is None
    assert cfn_type("aws-native:nope:Thing", known) is None
