"""Each rule of the policy pack: a compliant and a violating case, through its `validate`
with a list-appending `report_violation` (the pack's own calling convention), then the
whole pack over a deliberately broken program run under the plan harness."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

from estate.accounts import Estate
from estate.contracts import ProjectContract
from estate.plan.runner import run_stack
from estate.policy.evaluate import evaluate_stack
from estate.policy.registry import build_policies
from estate.providers import stack_tags

ACCOUNT = "111111111111"
OPTIONS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
PROTECTED = PolicyResourceOptions(True, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])


def _provider(**props: Any) -> PolicyProviderResource:
    base = {"region": "eu-west-1", "allowedAccountIds": json.dumps([ACCOUNT])}
    return PolicyProviderResource(
        "pulumi:providers:aws", base | props, "urn:p::aws::pinned", "pinned"
    )


def _policy(estate: Estate, name: str) -> Policy:
    (found,) = [p for p in build_policies(estate) if p.name == name]
    return found


def _collect(found: list[str]) -> Callable[[str, str | None], None]:
    """A `report_violation` that appends each message to `found`."""

    def report(message: str, urn: str | None = None) -> None:
        del urn
        found.append(message)

    return report


def _resource_violations(
    policy: Policy,
    type_: str,
    props: Mapping[str, Any],
    *,
    protect: bool = False,
    provider: PolicyProviderResource | None = None,
) -> list[str]:
    assert isinstance(policy, ResourceValidationPolicy)
    found: list[str] = []
    args = ResourceValidationArgs(
        type_, props, "urn:x", "thing", PROTECTED if protect else OPTIONS, provider or _provider()
    )
    policy.validate(args, _collect(found))
    return found


def _stack_violations(
    policy: Policy, resources: list[tuple[str, str, Mapping[str, Any]]]
) -> list[str]:
    assert isinstance(policy, StackValidationPolicy)
    found: list[str] = []
    built = [
        PolicyResource(t, p, f"urn:{n}", n, OPTIONS, _provider(), None, [], {})
        for t, n, p in resources
    ]
    policy.validate(StackValidationArgs(built), _collect(found))
    return found


def _document(action: str, resource: str, effect: str = "Allow") -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": effect, "Action": action, "Resource": resource}],
        }
    )


TAGS = json.dumps(
    {
        "tags": {
            "Organization": "acme",
            "ManagedBy": "pulumi",
            "Repository": "acme/estate",
            "estate:account": "dev",
            "estate:stage": "dev",
            "estate:project": "p",
        }
    }
)
POLICY = "aws:iam/policy:Policy"
FUNCTION = "aws:lambda/function:Function"
TABLE = "aws:dynamodb/table:Table"
QUEUE = "aws:sqs/queue:Queue"

# (rule, resource type, compliant props, violating props, protect, provider props)
RESOURCE_CASES: list[tuple[str, str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    (
        "no-wildcard-actions",
        POLICY,
        {"policy": _document("s3:GetObject", "arn:aws:s3:::b/*")},
        {"policy": _document("s3:*", "arn:aws:s3:::b/*")},
        {},
    ),
    (
        "resource-star-allow-listed",
        POLICY,
        {"policy": _document("s3:ListAllMyBuckets", "*")},
        {"policy": _document("s3:GetObject", "*")},
        {},
    ),
    ("lambda-memory-limit", FUNCTION, {"memorySize": 1024}, {"memorySize": 1536}, {}),
    (
        "dynamodb-on-demand-pitr",
        TABLE,
        {"billingMode": "PAY_PER_REQUEST", "pointInTimeRecovery": {"enabled": True}},
        {"billingMode": "PAY_PER_REQUEST", "pointInTimeRecovery": {"enabled": False}},
        {},
    ),
    (
        "required-tags",
        QUEUE,
        {},
        {"tags": {"estate:project": ""}},
        {"defaultTags": json.dumps({"tags": {"Organization": "acme"}})},
    ),
    (
        "provider-pinned",
        QUEUE,
        {},
        {},
        {"allowedAccountIds": json.dumps([ACCOUNT, "222222222222"])},
    ),
]


@pytest.mark.parametrize("case", RESOURCE_CASES, ids=[c[0] for c in RESOURCE_CASES])
def test_each_resource_rule_passes_the_compliant_case_and_flags_the_violating_one(
    estate: Estate, case: tuple[str, str, dict[str, Any], dict[str, Any], dict[str, Any]]
) -> None:
    rule, type_, compliant, violating, provider_props = case
    policy = _policy(estate, rule)
    assert (
        _resource_violations(policy, type_, compliant, provider=_provider(defaultTags=TAGS)) == []
    )
    violations = _resource_violations(
        policy, type_, violating, provider=_provider(**({"defaultTags": TAGS} | provider_props))
    )
    assert len(violations) == 1, violations


def test_stateful_resources_must_be_protected(estate: Estate) -> None:
    policy = _policy(estate, "stateful-protected")
    assert _resource_violations(policy, "aws:kms/key:Key", {}, protect=True) == []
    assert _resource_violations(policy, "aws:kms/key:Key", {}) != []
    assert _resource_violations(policy, QUEUE, {}) == []  # stateless: nothing to protect


def test_a_default_provider_and_a_provider_without_region_are_not_pinned(estate: Estate) -> None:
    policy = _policy(estate, "provider-pinned")
    default = PolicyProviderResource(
        "pulumi:providers:aws",
        {},
        "urn:pulumi:dev::p::pulumi:providers:aws::default_7_51_1",
        "default_7_51_1",
    )
    assert "default provider" in _resource_violations(policy, QUEUE, {}, provider=default)[0]
    assert (
        "pins no region"
        in _resource_violations(policy, QUEUE, {}, provider=_provider(region=""))[0]
    )
    assert (
        _resource_violations(
            policy, "github:index/repositoryEnvironment:RepositoryEnvironment", {}, provider=default
        )
        == []
    )


def test_the_memory_override_needs_a_reason(estate: Estate) -> None:
    policy = _policy(estate, "lambda-memory-limit")
    exempt = "estate:policy-exempt:lambda-memory-limit"
    assert (
        _resource_violations(
            policy, FUNCTION, {"memorySize": 3008, "tags": {exempt: "measured: 3x faster parsing"}}
        )
        == []
    )
    assert (
        _resource_violations(policy, FUNCTION, {"memorySize": 3008, "tags": {exempt: "  "}}) != []
    )


def _bucket_world(skip: str = "") -> list[tuple[str, str, Mapping[str, Any]]]:
    world: list[tuple[str, str, Mapping[str, Any]]] = [
        ("aws:s3/bucket:Bucket", "b", {"bucket": "estate-b"})
    ]
    if skip != "encryption":
        world.append(
            (
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "enc",
                {
                    "bucket": "b",
                    "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}],
                },
            )
        )
    if skip != "versioning":
        world.append(
            (
                "aws:s3/bucketVersioning:BucketVersioning",
                "ver",
                {"bucket": "estate-b", "versioningConfiguration": {"status": "Enabled"}},
            )
        )
    if skip != "public-access":
        world.append(
            (
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "pab",
                {
                    "bucket": "b",
                    "blockPublicAcls": True,
                    "blockPublicPolicy": True,
                    "ignorePublicAcls": True,
                    "restrictPublicBuckets": skip != "one-flag",
                },
            )
        )
    if skip != "tls":
        deny = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": "arn:aws:s3:::estate-b",
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                }
            ],
        }
        world.append(
            ("aws:s3/bucketPolicy:BucketPolicy", "pol", {"bucket": "b", "policy": json.dumps(deny)})
        )
    return world


@pytest.mark.parametrize(
    ("rule", "skip"),
    [
        ("bucket-encrypted", "encryption"),
        ("bucket-versioned", "versioning"),
        ("bucket-public-access-blocked", "public-access"),
        ("bucket-public-access-blocked", "one-flag"),
        ("bucket-tls-only", "tls"),
    ],
)
def test_each_bucket_rule_needs_its_companion_resource(
    estate: Estate, rule: str, skip: str
) -> None:
    policy = _policy(estate, rule)
    assert _stack_violations(policy, _bucket_world()) == []
    assert len(_stack_violations(policy, _bucket_world(skip))) == 1


def test_a_native_bucket_is_judged_by_its_own_properties(estate: Estate) -> None:
    native = {
        "bucketName": "n",
        "versioningConfiguration": {"status": "Enabled"},
        "bucketEncryption": {
            "serverSideEncryptionConfiguration": [
                {"serverSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}
            ]
        },
    }
    assert (
        _stack_violations(
            _policy(estate, "bucket-versioned"), [("aws-native:s3:Bucket", "n", native)]
        )
        == []
    )
    assert (
        _stack_violations(
            _policy(estate, "bucket-encrypted"), [("aws-native:s3:Bucket", "n", native)]
        )
        == []
    )
    assert (
        len(
            _stack_violations(
                _policy(estate, "bucket-public-access-blocked"),
                [("aws-native:s3:Bucket", "n", native)],
            )
        )
        == 1
    )


def test_lambda_log_group_rule_wants_the_functions_group_with_retention(estate: Estate) -> None:
    policy = _policy(estate, "lambda-explicit-log-group")
    function = (FUNCTION, "fn", {"name": "estate-fn"})
    assert (
        _stack_violations(
            policy,
            [
                function,
                (
                    "aws:cloudwatch/logGroup:LogGroup",
                    "lg",
                    {"name": "/aws/lambda/estate-fn", "retentionInDays": 14},
                ),
            ],
        )
        == []
    )
    assert (
        "no retentionInDays"
        in _stack_violations(
            policy,
            [
                function,
                ("aws:cloudwatch/logGroup:LogGroup", "lg", {"name": "/aws/lambda/estate-fn"}),
            ],
        )[0]
    )
    assert "no log group" in _stack_violations(policy, [function])[0]
    custom = (
        FUNCTION,
        "fn",
        {"name": "estate-fn", "loggingConfig": {"logGroup": "/estate/shared"}},
    )
    assert (
        _stack_violations(
            policy,
            [
                custom,
                (
                    "aws:cloudwatch/logGroup:LogGroup",
                    "lg",
                    {"name": "/estate/shared", "retentionInDays": 30},
                ),
            ],
        )
        == []
    )


@pytest.mark.parametrize(
    "failure_path",
    [
        [
            (
                "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
                "cfg",
                {
                    "functionName": "estate-fn",
                    "destinationConfig": {
                        "onFailure": {"destination": "arn:aws:sqs:eu-west-1:1:q"}
                    },
                },
            )
        ],
        [
            (
                "aws:lambda/eventSourceMapping:EventSourceMapping",
                "esm",
                {
                    "functionName": "arn:aws:lambda:eu-west-1:1:function:estate-fn",
                    "eventSourceArn": "arn:aws:dynamodb:x",
                    "destinationConfig": {
                        "onFailure": {"destinationArn": "arn:aws:sqs:eu-west-1:1:q"}
                    },
                },
            )
        ],
        [
            (
                QUEUE,
                "source",
                {
                    "name": "estate-src",
                    "redrivePolicy": json.dumps(
                        {"deadLetterTargetArn": "arn:aws:sqs:eu-west-1:1:dlq", "maxReceiveCount": 5}
                    ),
                },
            ),
            (
                "aws:lambda/eventSourceMapping:EventSourceMapping",
                "esm",
                {
                    "functionName": "estate-fn",
                    "eventSourceArn": "arn:aws:sqs:eu-west-1:1:estate-src",
                },
            ),
        ],
    ],
    ids=["invoke-config", "mapping-on-failure", "queue-redrive"],
)
def test_lambda_failure_rule_accepts_each_failure_path(
    estate: Estate, failure_path: list[tuple[str, str, Mapping[str, Any]]]
) -> None:
    policy = _policy(estate, "lambda-failure-destination")
    function = (FUNCTION, "fn", {"name": "estate-fn"})
    scheduled = (
        "aws:lambda/permission:Permission",
        "events",
        {"function": "estate-fn", "principal": "events.amazonaws.com"},
    )
    assert _stack_violations(policy, [function, scheduled, *failure_path]) == []
    assert len(_stack_violations(policy, [function, scheduled])) == 1
    with_dlq = (FUNCTION, "fn", {"name": "estate-fn", "deadLetterConfig": {"targetArn": "arn:x"}})
    assert _stack_violations(policy, [with_dlq, scheduled]) == []


@pytest.mark.parametrize(
    "trigger",
    [
        (
            "aws:lambda/permission:Permission",
            {"function": "estate-fn", "principal": "s3.amazonaws.com"},
        ),
        (
            "aws-native:scheduler:Schedule",
            {"target": {"arn": "arn:aws:lambda:eu-west-1:1:function:estate-fn"}},
        ),
        (
            "aws:sns/topicSubscription:TopicSubscription",
            {"protocol": "lambda", "endpoint": "arn:aws:lambda:eu-west-1:1:function:estate-fn"},
        ),
        (
            "aws:s3/bucketNotification:BucketNotification",
            {
                "lambdaFunctions": [
                    {"lambdaFunctionArn": "arn:aws:lambda:eu-west-1:1:function:estate-fn"}
                ]
            },
        ),
    ],
    ids=["s3-permission", "schedule", "sns", "bucket-notification"],
)
def test_each_asynchronous_trigger_makes_the_failure_path_required(
    estate: Estate, trigger: tuple[str, Mapping[str, Any]]
) -> None:
    policy = _policy(estate, "lambda-failure-destination")
    function = (FUNCTION, "fn", {"name": "estate-fn"})
    assert len(_stack_violations(policy, [function, (trigger[0], "trigger", trigger[1])])) == 1


def test_a_function_only_invoked_synchronously_needs_no_failure_path(estate: Estate) -> None:
    policy = _policy(estate, "lambda-failure-destination")
    function = (FUNCTION, "fn", {"name": "estate-fn"})
    api = (
        "aws:lambda/permission:Permission",
        "api",
        {"function": "estate-fn", "principal": "apigateway.amazonaws.com"},
    )
    assert _stack_violations(policy, [function, api]) == []
    assert _stack_violations(policy, [function]) == []


def test_the_broken_program_breaks_each_rule_exactly_once(estate: Estate) -> None:
    contract = ProjectContract("broken", "tests/shared/policy/broken", "broken on purpose", ())
    run = run_stack(contract, estate.account("dev"), estate)
    violations = evaluate_stack(run, estate)
    by_rule: dict[str, int] = {}
    for violation in violations:
        by_rule[violation.policy] = by_rule.get(violation.policy, 0) + 1
    assert by_rule == {policy.name: 1 for policy in build_policies(estate)}, [
        str(v) for v in violations
    ]
    assert all(str(v).startswith("broken/dev: [") for v in violations)
    assert stack_tags(
        estate.account("dev"), estate.organization, "broken"
    )  # the program's tags are real


def test_a_deny_with_a_wildcard_action_only_takes_away(estate: Estate) -> None:
    policy = _policy(estate, "no-wildcard-actions")
    deny = _document("s3:*", "arn:aws:s3:::b", effect="Deny")
    assert _resource_violations(policy, "aws:s3/bucketPolicy:BucketPolicy", {"policy": deny}) == []


def test_a_stateful_resource_may_carry_a_reasoned_exemption(estate: Estate) -> None:
    policy = _policy(estate, "stateful-protected")
    exempt = {"tags": {"estate:policy-exempt:stateful-protected": "logs expire by lifecycle"}}
    assert _resource_violations(policy, "aws:s3/bucket:Bucket", exempt) == []
    assert _resource_violations(policy, "aws:s3/bucket:Bucket", {"tags": {}}) != []
