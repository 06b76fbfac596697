"""The one list of actions that may be granted on ``Resource: "*"``, each with its reason.

AWS documents no resource type for these actions, so ``"*"`` is the only resource that
grants them. An action belongs here only if that is true (a test checks every entry
against the IAM catalogue) and the platform needs it (the reason says who and why).
Adding an entry is a reviewed change to this file, never a flag at the call site.
"""

from collections.abc import Mapping
from types import MappingProxyType

RESOURCE_STAR_ACTIONS: Mapping[str, str] = MappingProxyType(
    {
        # Scanner fleet: enumerating what an account holds is account-wide by nature.
        "s3:ListAllMyBuckets": "S3 analyzer's ListBuckets: lists every bucket of the account",
        "s3:GetAccountPublicAccessBlock": (
            "S3 analyzer reads the account-level public access block (S3 Control)"
        ),
        "ec2:DescribeInstances": "tag checker's DescribeInstances: EC2 Describe* take no ARN",
        "ec2:DescribeRegions": "scanners and previews list the regions enabled in the account",
        "ec2:DescribeAvailabilityZones": "Pulumi previews read the zones of a region",
        # Every Lambda function: telemetry APIs write to the account, not to a resource.
        "xray:PutTraceSegments": "Lambda active tracing uploads trace segments",
        "xray:PutTelemetryRecords": "Lambda active tracing reports daemon telemetry",
        "cloudwatch:PutMetricData": "handlers publish custom metrics; namespaces are no ARN",
        "cloudwatch:GetMetricData": "the query API and dashboards read metrics by query",
        "cloudwatch:ListMetrics": "previews and dashboards list metric names",
        # Identity checks: who am I, which account — asked before anything else.
        "sts:GetCallerIdentity": "CLI, CI and scanners check the account they reached",
        # Read-only previews (the PR role): Pulumi lists before it reads each resource.
        "iam:ListRoles": "preview role: lists roles while refreshing org-iam state",
        "iam:ListPolicies": "preview role: lists customer managed policies",
        "iam:ListOpenIDConnectProviders": "preview role: finds the GitHub OIDC provider",
        "logs:DescribeLogGroups": "preview role: lists log groups of the functions",
        "lambda:ListFunctions": "preview role: lists functions while refreshing state",
        "dynamodb:ListTables": "preview role: lists the findings table with the others",
        "sqs:ListQueues": "preview role: lists the pipeline's queues and DLQs",
        "sns:ListTopics": "preview role: lists the alert topics",
        "kms:ListAliases": "preview role: resolves key aliases to keys",
        "states:ListStateMachines": "preview role: lists the fleet's state machines",
        "scheduler:ListSchedules": "preview role: lists the scan schedules",
        "athena:ListWorkGroups": "preview role: lists Athena workgroups",
        "tag:GetResources": "preview and drift checks find resources by their estate tags",
    }
)
