"""core's program, asserted on the resources `estate plan` records for every account."""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pytest

from estate.accounts import Estate
from estate.components import LIVE_ALIAS
from estate.contracts import CORE, deploy_order
from estate.plan.runner import RecordedResource, StackRun
from estate.programs.core.findings_api import ROUTES
from estate.programs.core.resource_policies import ALARM_PUBLISHER_KEY_ACTIONS, key_actions
from estate.stack import workload_boundary_arn
from estate_core import api_handler, layout
from estate_scanners.s3.facts import BucketPolicy
from estate_scanners.s3.policy import parse_policy
from estate_scanners.s3.transport import tls_enforcement

ACCOUNTS = ["dev", "staging", "prod"]
ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm"


@pytest.fixture(scope="module")
def runs(all_runs: list[StackRun]) -> dict[tuple[str, str], StackRun]:
    """Every recorded stack by (project, account)."""
    return {(run.project, run.stack): run for run in all_runs}


def _core(runs: dict[tuple[str, str], StackRun], account: str) -> StackRun:
    return runs[("core", account)]


def _one(run: StackRun, type_token: str, name: str | None = None) -> RecordedResource:
    found = [r for r in run.of_type(type_token) if name is None or r.name == name]
    assert len(found) == 1, f"{type_token} {name}: {[r.name for r in found]}"
    return found[0]


def _by_urn(run: StackRun) -> dict[str, RecordedResource]:
    return {r.urn: r for r in run.resources}


def _statements(document: Any) -> list[dict[str, Any]]:
    parsed = json.loads(document) if isinstance(document, str) else document
    statements: list[dict[str, Any]] = parsed["Statement"]
    return statements


def test_core_is_planned_after_org_iam_for_every_account(
    all_runs: list[StackRun], estate: Estate
) -> None:
    order = [c.project for c in deploy_order()]
    assert order.index("core") > order.index("org-iam")
    assert {run.stack for run in all_runs if run.project == "core"} == set(estate.accounts)
    for run in all_runs:
        if run.project == "core":
            assert set(run.outputs) == CORE.export_names()


@pytest.mark.parametrize("account", ACCOUNTS)
def test_reports_bucket_is_encrypted_versioned_lifecycled_private_tls_only_logged_protected(
    runs: dict[tuple[str, str], StackRun], account: str
) -> None:
    run = _core(runs, account)
    bucket = _one(run, "aws:s3/bucket:Bucket", "reports-bucket")
    name = bucket.inputs["bucket"]
    assert bucket.protect
    key = _one(run, "aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True and key.protect
    (rule,) = _one(
        run,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "reports-encryption",
    ).inputs["rules"]
    default = rule["applyServerSideEncryptionByDefault"]
    assert default["sseAlgorithm"] == "aws:kms"
    assert default["kmsMasterKeyId"] == run.outputs["reports_key_arn"]
    versioning = _one(run, "aws:s3/bucketVersioning:BucketVersioning", "reports-versioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    lifecycle = _one(
        run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "reports-lifecycle"
    )
    parts = next(r for r in lifecycle.inputs["rules"] if r["filter"]["prefix"] == "findings/")
    assert parts["transitions"][0]["storageClass"] == "STANDARD_IA"
    assert parts["expiration"]["days"] > parts["transitions"][0]["days"]
    assert parts["noncurrentVersionExpiration"]["noncurrentDays"] > 0
    assert versioning.urn in lifecycle.depends_on
    block = _one(
        run,
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "reports-bucket-public-access-block",
    )
    assert all(
        block.inputs[flag] is True
        for flag in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    )
    ownership = _one(
        run, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "reports-bucket-ownership"
    )
    assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    policy = _one(run, "aws-native:s3:BucketPolicy", "reports-bucket-policy")
    judged = tls_enforcement(
        BucketPolicy(parse_policy(json.dumps(policy.inputs["policyDocument"]))),
        f"arn:aws:s3:::{name}",
    )
    assert judged.enforced  # our own s3.tls_only judge credits it
    logging = _one(run, "aws:s3/bucketLogging:BucketLogging", "reports-logging")
    log_bucket = _one(run, "aws:s3/bucket:Bucket", "reports-access-logs")
    assert logging.inputs["targetBucket"] == log_bucket.inputs["bucket"]
    log_policy = _one(run, "aws-native:s3:BucketPolicy", "reports-access-logs-policy")
    assert log_policy.urn in logging.depends_on


@pytest.mark.parametrize("account", ACCOUNTS)
def test_one_notification_to_the_queue_after_a_policy_scoped_to_the_bucket_and_account(
    runs: dict[tuple[str, str], StackRun], account: str
) -> None:
    run = _core(runs, account)
    notification = _one(run, "aws:s3/bucketNotification:BucketNotification")
    (queue,) = notification.inputs["queues"]
    assert queue["queueArn"] == run.outputs["ingest_queue_arn"]
    assert (queue["filterPrefix"], queue["filterSuffix"]) == ("findings/", ".jsonl.gz")
    assert (
        notification.inputs.get("topics") is None
        and notification.inputs.get("lambdaFunctions") is None
    )
    policy = _one(run, "aws:sqs/queuePolicy:QueuePolicy")
    assert policy.urn in notification.depends_on
    (statement,) = _statements(policy.inputs["policy"])
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == run.outputs["reports_bucket_arn"]
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == run.account_id


@pytest.mark.parametrize("account", ACCOUNTS)
def test_findings_table_is_on_demand_recoverable_streamed_encrypted_protected_indexed(
    runs: dict[tuple[str, str], StackRun], account: str
) -> None:
    table = _one(_core(runs, account), "aws:dynamodb/table:Table")
    inputs = table.inputs
    assert table.protect and inputs["deletionProtectionEnabled"] is True
    assert inputs["billingMode"] == "PAY_PER_REQUEST"
    assert inputs["pointInTimeRecovery"] == {"enabled": True}
    assert (inputs["streamEnabled"], inputs["streamViewType"]) == (True, "NEW_AND_OLD_IMAGES")
    assert (
        inputs["serverSideEncryption"]["kmsKeyArn"]
        == _core(runs, account).outputs["reports_key_arn"]
    )
    declared = {(i["name"], i["hashKey"], i["rangeKey"]) for i in inputs["globalSecondaryIndexes"]}
    assert declared == set(layout.INDEXES)


def _functions(run: StackRun) -> list[RecordedResource]:
    return run.of_type("estate:components:LambdaFunction")


def _child(run: StackRun, component: RecordedResource, type_token: str) -> RecordedResource:
    (child,) = [r for r in run.of_type(type_token) if r.parent == component.urn]
    return child


@pytest.mark.parametrize("account", ACCOUNTS)
def test_every_function_has_its_log_group_first_a_bounded_role_and_one_policy(
    runs: dict[tuple[str, str], StackRun], estate: Estate, account: str
) -> None:
    run = _core(runs, account)
    boundary = workload_boundary_arn(estate.account(account))
    names = []
    for component in _functions(run):
        log_group = _child(run, component, "aws:cloudwatch/logGroup:LogGroup")
        function = _child(run, component, "aws:lambda/function:Function")
        role = _child(run, component, "aws:iam/role:Role")
        policy = _child(run, component, "aws:iam/rolePolicy:RolePolicy")
        assert (
            log_group.inputs["retentionInDays"] == estate.account(account).sizes.log_retention_days
        )
        assert log_group.urn in function.depends_on and policy.urn in function.depends_on
        assert function.inputs["loggingConfig"]["logGroup"] == log_group.inputs["name"]
        assert role.inputs["permissionsBoundary"] == boundary
        trust = _statements(role.inputs["assumeRolePolicy"])[0]
        assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}
        assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == [run.account_id]
        actions = {
            a
            for s in _statements(policy.inputs["policy"])
            for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
        }
        assert {"logs:CreateLogStream", "logs:PutLogEvents"} <= actions
        names.append(function.inputs["name"])
    assert sorted(names) == sorted(run.outputs["function_names"])


@pytest.mark.parametrize("account", ACCOUNTS)
def test_ingest_times_out_well_inside_the_queue_and_its_dlq_is_bounded(
    runs: dict[tuple[str, str], StackRun], account: str
) -> None:
    run = _core(runs, account)
    ingest = next(
        r
        for r in run.of_type("aws:lambda/function:Function")
        if r.inputs["name"] == run.outputs["ingest_function_name"]
    )
    queue = next(
        r
        for r in run.of_type("aws:sqs/queue:Queue")
        if r.inputs["name"] in run.outputs["ingest_queue_url"]
    )
    assert queue.inputs["visibilityTimeoutSeconds"] >= 6 * ingest.inputs["timeout"]
    redrive = json.loads(queue.inputs["redrivePolicy"])
    assert redrive["deadLetterTargetArn"] == run.outputs["ingest_dlq_arn"]
    assert 1 <= redrive["maxReceiveCount"] <= 10
    mapping = next(
        m
        for m in run.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")
        if m.inputs["eventSourceArn"] == run.outputs["ingest_queue_arn"]
    )
    assert mapping.inputs["functionResponseTypes"] == ["ReportBatchItemFailures"]


@pytest.mark.parametrize("account", ACCOUNTS)
def test_stream_readers_bisect_retry_boundedly_and_fail_to_a_queue(
    runs: dict[tuple[str, str], StackRun], estate: Estate, account: str
) -> None:
    run = _core(runs, account)
    mappings = [
        m
        for m in run.of_type("aws:lambda/eventSourceMapping:EventSourceMapping")
        if m.inputs["eventSourceArn"] == run.outputs["findings_stream_arn"]
    ]
    expected = 2 if estate.account(account).security_hub.enabled else 1
    assert len(mappings) == expected
    for mapping in mappings:
        inputs = mapping.inputs
        assert inputs["bisectBatchOnFunctionError"] is True
        assert 0 < inputs["maximumRetryAttempts"] <= 5
        assert (
            inputs["destinationConfig"]["onFailure"]["destinationArn"]
            == run.outputs["stream_failures_queue_arn"]
        )
        (pattern,) = inputs["filterCriteria"]["filters"]
        assert (
            set(json.loads(pattern["pattern"])["dynamodb"]["NewImage"]["state"]["S"])
            >= layout.ALERTING_STATES
        )


@pytest.mark.parametrize("account", ACCOUNTS)
def test_api_has_iam_auth_a_live_alias_and_provisioned_concurrency_from_the_account(
    runs: dict[tuple[str, str], StackRun], estate: Estate, account: str
) -> None:
    run = _core(runs, account)
    methods = run.of_type("aws:apigateway/method:Method")
    assert len(methods) == len(ROUTES) and {m.inputs["authorization"] for m in methods} == {
        "AWS_IAM"
    }
    alias = _one(run, "aws:lambda/alias:Alias")
    assert alias.inputs["name"] == LIVE_ALIAS == run.outputs["api_alias_name"]
    integrations = run.of_type("aws:apigateway/integration:Integration")
    api_function = _one(run, "aws:lambda/function:Function", "api-function")
    target = f"{api_function.inputs['name']}:{LIVE_ALIAS}/invocations"
    assert len(integrations) == len(ROUTES)
    assert all(i.inputs["uri"].endswith(f":function:{target}") for i in integrations)
    wanted = estate.account(account).sizes.api_provisioned_concurrency
    configs = run.of_type("aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")
    assert [c.inputs["provisionedConcurrentExecutions"] for c in configs] == (
        [wanted] if wanted else []
    )
    assert set(ROUTES) == api_handler.ROUTES


@pytest.mark.parametrize("account", ACCOUNTS)
def test_alert_topic_is_encrypted_with_the_key_and_mails_the_account_file(
    runs: dict[tuple[str, str], StackRun], estate: Estate, account: str
) -> None:
    run = _core(runs, account)
    topic = _one(run, "aws-native:sns:Topic")
    assert topic.inputs["kmsMasterKeyId"] == run.outputs["reports_key_arn"]
    emails = [s["endpoint"] for s in topic.inputs["subscription"] if s["protocol"] == "email"]
    assert emails == list(estate.account(account).alerts.emails)


def test_security_hub_export_exists_only_where_the_account_file_switches_it_on(
    runs: dict[tuple[str, str], StackRun], estate: Estate
) -> None:
    switched = {name for name, account in estate.accounts.items() if account.security_hub.enabled}
    assert switched and switched != set(estate.accounts)  # both cases are planned
    for name in estate.accounts:
        handlers = {
            f.inputs["handler"] for f in _core(runs, name).of_type("aws:lambda/function:Function")
        }
        assert ("estate_core.securityhub_handler.handler" in handlers) == (name in switched)


@pytest.mark.parametrize("account", ACCOUNTS)
def test_the_key_policy_leaves_the_key_to_iam_and_lets_only_the_accounts_alarms_use_it(
    runs: dict[tuple[str, str], StackRun], estate: Estate, account: str
) -> None:
    run = _core(runs, account)
    key = _one(run, "aws:kms/key:Key")
    policy = _one(run, "aws:kms/keyPolicy:KeyPolicy")
    assert key.urn in policy.depends_on and policy.inputs["keyId"]
    assert "policy" not in key.inputs  # one policy, the KeyPolicy's
    statements = {s["Sid"]: s for s in _statements(policy.inputs["policy"])}
    account_id = estate.account(account).account_id
    iam, alarms = statements["AccountIamDecides"], statements["EstateAlarmsPublishToEncryptedTopic"]
    assert iam["Principal"] == {"AWS": f"arn:aws:iam::{account_id}:root"}
    assert iam["Action"] == list(key_actions())
    # What the account must never lose on its key (KMS refuses a policy that locks the
    # caller out of PutKeyPolicy; the rest keeps the key administrable and usable).
    assert {
        "kms:PutKeyPolicy",
        "kms:GetKeyPolicy",
        "kms:DescribeKey",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
        "kms:EnableKey",
        "kms:DisableKey",
        "kms:EnableKeyRotation",
        "kms:CreateGrant",
        "kms:Encrypt",
        "kms:Decrypt",
        "kms:GenerateDataKey",
    } <= set(iam["Action"])
    assert policy.protect
    assert alarms["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert alarms["Action"] == list(ALARM_PUBLISHER_KEY_ACTIONS)
    assert alarms["Condition"]["StringEquals"] == {"aws:SourceAccount": account_id}
    pattern = alarms["Condition"]["ArnLike"]["aws:SourceArn"]
    assert pattern.startswith(f"arn:aws:cloudwatch:{estate.account(account).primary_region}:")
    assert {s["Resource"] for s in statements.values()} == {run.outputs["reports_key_arn"]}
    # Every alarm observability plans in the account (they publish to the alert topic the
    # key encrypts) is one the statement names: a rename would otherwise drop them silently.
    observed = runs[("observability", account)]
    names = [str(a.inputs["name"]) for a in observed.of_type(ALARM_TYPE)]
    assert names
    for alarm in observed.of_type(ALARM_TYPE):
        region = observed.provider_input(alarm, "region")
        arn = f"arn:aws:cloudwatch:{region}:{account_id}:alarm:{alarm.inputs['name']}"
        assert fnmatch.fnmatchcase(arn, pattern), (arn, pattern)
    assert not fnmatch.fnmatchcase(
        f"arn:aws:cloudwatch:{region}:{account_id}:alarm:someone-else", pattern
    )
