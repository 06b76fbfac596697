"""One Lambda function the way the platform runs every function.

Its log group (retention from the account file) exists before the function, so Lambda
never creates an unbounded one; its role is trusted by Lambda for this account only,
carries the account's permission boundary and exactly one inline policy generated from
``estate.iam`` statements; an optional dead-letter target for asynchronous invokes; and an
optional published version behind the alias ``live`` with provisioned concurrency.

The function's grants are easy to read from a recorded plan: the one
``aws:iam/rolePolicy:RolePolicy`` named ``<name>-policy``. Statements whose sid starts with
``Service`` are calls the Lambda service makes with the role (logs, event-source polling,
failure destinations); every other statement is a call the handler's own code makes, so a
least-privilege proof compares recorded handler calls with exactly those.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

import pulumi
import pulumi_aws as aws

from estate.accounts.model import LOG_RETENTION_DAYS
from estate.iam import Statement, policy_document, service_trust
from estate.naming import NamingError, ResourceKind, check_name
from estate.packaging import PackagingError, archive_files

COMPONENT_TYPE: Final = "estate:components:LambdaFunction"
RUNTIME: Final = "python3.12"
ARCHITECTURE: Final = "x86_64"
LIVE_ALIAS: Final = "live"
# Sid prefix of statements for the Lambda service's own calls made with the function's role.
SERVICE_SID_PREFIX: Final = "Service"
# Powertools comes from AWS's published layer (the zips carry our code only). Version 27 is
# the layer the Powertools docs list for 3.x at the locked version's time; bump it with the lock.
POWERTOOLS_LAYER_ACCOUNT: Final = "017000801446"
POWERTOOLS_LAYER_VERSION: Final = 27

_HANDLER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")
_ENV_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# Lambda sets these itself and refuses them in a function's configuration.
_RESERVED_ENV = frozenset(
    {
        "_HANDLER",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)


class LambdaFunctionError(ValueError):
    """Arguments a function cannot be built from; the message names the field and the fix."""


def powertools_layer_arn(region: str) -> str:
    """The AWS-published Powertools for AWS Lambda (Python) v3 layer of ``region``."""
    runtime = RUNTIME.replace(".", "")
    return (
        f"arn:aws:lambda:{region}:{POWERTOOLS_LAYER_ACCOUNT}:layer:"
        f"AWSLambdaPowertoolsPythonV3-{runtime}-{ARCHITECTURE}:{POWERTOOLS_LAYER_VERSION}"
    )


@dataclass(frozen=True, kw_only=True)
class LambdaFunctionArgs:
    """Everything one function needs; checked when built."""

    function_name: str  # physical, from estate.naming (ResourceKind.LAMBDA_FUNCTION)
    role_name: str  # physical, from estate.naming (ResourceKind.IAM_ROLE)
    # From estate.naming (ResourceKind.LOG_GROUP). Not /aws/lambda/<name>: estate.iam reads
    # a name starting with "/" as a name-less ARN and refuses the log grants.
    log_group_name: str
    description: str
    handler: str  # "package.module.function", found in `code`
    code: pulumi.AssetArchive  # from estate.packaging.code_archive
    memory_mb: int
    timeout_seconds: int
    log_retention_days: int
    account_id: str  # Lambda may assume the role for this account only
    statements: Sequence[Statement]  # the handler's own calls
    service_statements: Sequence[Statement] = ()  # Lambda's calls with the role (polling)
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    permissions_boundary_arn: pulumi.Input[str] | None = None
    dead_letter_arn: pulumi.Input[str] | None = None  # SQS queue for failed async invokes
    layers: Sequence[str] = ()
    live_alias: bool = False
    provisioned_concurrency: int = 0
    reserved_concurrency: int | None = None
    # Policy-pack rule id -> the reviewed reason this function departs from it; written as
    # `estate:policy-exempt:<rule>` tags on the function, where previews show it.
    policy_exemptions: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check_names(self)
        _check_handler(self.handler, self.code)
        _check_sizes(self)
        for name in self.environment:
            if not _ENV_NAME.fullmatch(name) or name in _RESERVED_ENV:
                raise LambdaFunctionError(
                    f"environment variable {name!r} is invalid or reserved by Lambda; "
                    "use letters, digits and _ and a name of your own"
                )
        _check_statements(self.statements, self.service_statements)


def _check_names(args: LambdaFunctionArgs) -> None:
    for kind, name in (
        (ResourceKind.LAMBDA_FUNCTION, args.function_name),
        (ResourceKind.IAM_ROLE, args.role_name),
        (ResourceKind.LOG_GROUP, args.log_group_name),
    ):
        try:
            check_name(kind, name)
        except NamingError as error:
            raise LambdaFunctionError(str(error)) from None
    if args.log_group_name.startswith("/"):
        raise LambdaFunctionError(
            f"log_group_name {args.log_group_name!r} starts with '/'; "
            "name it with estate.naming (ResourceKind.LOG_GROUP)"
        )


def _check_handler(handler: str, code: pulumi.AssetArchive) -> None:
    if not _HANDLER.fullmatch(handler):
        raise LambdaFunctionError(
            f"handler {handler!r} is not 'module.function'; "
            "write e.g. estate_core.ingest_handler.handler"
        )
    module_file = handler.rsplit(".", 1)[0].replace(".", "/") + ".py"
    try:
        shipped = archive_files(code)
    except PackagingError as error:
        raise LambdaFunctionError(f"code: {error}") from None
    if module_file not in shipped:
        raise LambdaFunctionError(
            f"handler {handler!r}: {module_file} is not in the code archive; "
            "add its package to code_archive([...])"
        )


def _check_sizes(args: LambdaFunctionArgs) -> None:
    problems = [
        (
            not 128 <= args.memory_mb <= 10240,
            f"memory_mb {args.memory_mb} is outside Lambda's 128-10240 MB; size it by measurement",
        ),
        (
            not 1 <= args.timeout_seconds <= 900,
            f"timeout_seconds {args.timeout_seconds} is outside Lambda's 1-900 s",
        ),
        (
            args.log_retention_days not in LOG_RETENTION_DAYS,
            f"log_retention_days {args.log_retention_days} is no CloudWatch Logs period; "
            "take it from the account file's sizes.log_retention_days",
        ),
        (
            args.provisioned_concurrency < 0,
            "provisioned_concurrency is negative; use 0 for none",
        ),
        (
            bool(args.provisioned_concurrency) and not args.live_alias,
            "provisioned_concurrency needs live_alias=True: it is set on the alias",
        ),
        (
            args.reserved_concurrency is not None and args.reserved_concurrency < 0,
            "reserved_concurrency is negative; leave it None for none",
        ),
    ]
    for failed, message in problems:
        if failed:
            raise LambdaFunctionError(message)


def _check_statements(
    statements: Sequence[Statement], service_statements: Sequence[Statement]
) -> None:
    if not statements:
        raise LambdaFunctionError(
            "statements is empty; grant the calls the handler makes (least privilege)"
        )
    for statement in statements:
        if statement.sid.startswith(SERVICE_SID_PREFIX):
            raise LambdaFunctionError(
                f"statement {statement.sid}: sids starting with {SERVICE_SID_PREFIX!r} "
                "are for service_statements; rename it or move it there"
            )
    for statement in service_statements:
        if not statement.sid.startswith(SERVICE_SID_PREFIX):
            raise LambdaFunctionError(
                f"service statement {statement.sid}: its sid must start with "
                f"{SERVICE_SID_PREFIX!r}, e.g. ServicePollsQueue"
            )


class LambdaFunction(pulumi.ComponentResource):
    """Log group, role with one generated inline policy, function, and optional live alias."""

    function_name: pulumi.Output[str]
    arn: pulumi.Output[str]
    invoke_arn: pulumi.Output[str]  # of the alias when there is one: callers reach `live`
    target_arn: pulumi.Output[str]  # the alias ARN, or the function's
    role_arn: pulumi.Output[str]
    role_name: pulumi.Output[str]
    log_group_name: pulumi.Output[str]
    alias_name: pulumi.Output[str] | None

    def __init__(
        self, name: str, args: LambdaFunctionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(COMPONENT_TYPE, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-log-group",
            name=args.log_group_name,
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description=f"Execution role of {args.function_name}",
            assume_role_policy=service_trust(
                "lambda.amazonaws.com", source_account=args.account_id, source_arn=None
            ),
            permissions_boundary=args.permissions_boundary_arn,
            opts=child,
        )
        policy = aws.iam.RolePolicy(
            f"{name}-policy",
            role=role.id,
            name="permissions",
            policy=policy_document(self._all_statements(args, log_group)),
            opts=child,
        )
        function = aws.lambda_.Function(
            f"{name}-function",
            name=args.function_name,
            description=args.description,
            role=role.arn,
            handler=args.handler,
            runtime=RUNTIME,
            architectures=[ARCHITECTURE],
            code=args.code,
            memory_size=args.memory_mb,
            timeout=args.timeout_seconds,
            layers=list(args.layers) or None,
            environment=(
                aws.lambda_.FunctionEnvironmentArgs(variables=dict(args.environment))
                if args.environment
                else None
            ),
            dead_letter_config=(
                aws.lambda_.FunctionDeadLetterConfigArgs(target_arn=args.dead_letter_arn)
                if args.dead_letter_arn is not None
                else None
            ),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON", log_group=log_group.name
            ),
            reserved_concurrent_executions=args.reserved_concurrency,
            tags={
                f"estate:policy-exempt:{rule}": reason
                for rule, reason in args.policy_exemptions.items()
            }
            or None,
            publish=args.live_alias,
            # The log group first (no Lambda-made group without retention); the policy
            # first, so the first invocation can already write logs and poll its source.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group, policy]),
        )
        self.function_name = function.name
        self.arn = function.arn
        self.invoke_arn = function.invoke_arn
        self.target_arn = function.arn
        self.alias_name = None
        if args.live_alias:
            alias = aws.lambda_.Alias(
                f"{name}-alias",
                name=LIVE_ALIAS,
                function_name=function.name,
                function_version=function.version,
                opts=child,
            )
            if args.provisioned_concurrency:
                aws.lambda_.ProvisionedConcurrencyConfig(
                    f"{name}-provisioned-concurrency",
                    function_name=function.name,
                    qualifier=alias.name,
                    provisioned_concurrent_executions=args.provisioned_concurrency,
                    opts=child,
                )
            self.invoke_arn = alias.invoke_arn
            self.target_arn = alias.arn
            self.alias_name = alias.name
        self.role_arn = role.arn
        self.role_name = role.name
        self.log_group_name = log_group.name
        self.register_outputs(
            {
                "function_name": self.function_name,
                "arn": self.arn,
                "invoke_arn": self.invoke_arn,
                "target_arn": self.target_arn,
                "role_arn": self.role_arn,
                "log_group_name": self.log_group_name,
            }
        )

    @staticmethod
    def _all_statements(
        args: LambdaFunctionArgs, log_group: aws.cloudwatch.LogGroup
    ) -> list[Statement]:
        statements = [
            *args.statements,
            *args.service_statements,
            Statement(
                sid=f"{SERVICE_SID_PREFIX}WritesLogs",
                actions=("logs:CreateLogStream", "logs:PutLogEvents"),
                resources=(log_group.arn.apply(lambda arn: f"{arn}:*"),),
            ),
        ]
        if args.dead_letter_arn is not None:
            statements.append(
                Statement(
                    sid=f"{SERVICE_SID_PREFIX}SendsDeadLetters",
                    actions=("sqs:SendMessage",),
                    resources=(args.dead_letter_arn,),
                )
            )
        return statements
