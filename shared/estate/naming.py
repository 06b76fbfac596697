"""Physical AWS resource names: deterministic, within each service's limits, never colliding.

A name reads ``estate-<account>-<project>-<purpose>[-<region>][-<account id>]-<digest>``
(region ``eu-west-1`` -> ``euw1``), lowercase, with the kind's separator (``_`` for Glue,
whose names Athena reads as SQL identifiers). The digest, 8 hex characters of SHA-256 over
the kind and the exact inputs, is always there: the readable part alone loses information
to ambiguous joins (``dev-org`` + ``iam`` vs ``dev`` + ``org-iam``), to normalisation (case,
replaced characters) and to shortening, so two inputs share a name only if their digests
collide (2**-32 per pair). Global kinds (S3 buckets) also carry the 12-digit account id, so
they differ across accounts by construction. Enum values enter the digest: renaming one
replaces every resource of that kind. What AWS accepts per kind is the table ``NAME_RULES``.
"""

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

NAME_PREFIX: Final = "estate"
DIGEST_LENGTH: Final = 8
LAMBDA_LOG_GROUP_PREFIX: Final = "/aws/lambda/"


class NamingError(ValueError):
    """An input that cannot become an AWS resource name; the message names it and the fix."""


class ResourceKind(StrEnum):
    """Every kind of AWS resource the platform names (values are part of each digest)."""

    S3_BUCKET = "s3-bucket"
    IAM_ROLE = "iam-role"
    IAM_POLICY = "iam-policy"
    IAM_PERMISSION_BOUNDARY = "iam-permission-boundary"
    IAM_INSTANCE_PROFILE = "iam-instance-profile"
    LAMBDA_FUNCTION = "lambda-function"
    LOG_GROUP = "log-group"
    SQS_QUEUE = "sqs-queue"
    SQS_FIFO_QUEUE = "sqs-fifo-queue"
    SNS_TOPIC = "sns-topic"
    DYNAMODB_TABLE = "dynamodb-table"
    KMS_ALIAS = "kms-alias"
    STATE_MACHINE = "state-machine"
    SCHEDULE = "schedule"
    SCHEDULE_GROUP = "schedule-group"
    CLOUDWATCH_ALARM = "cloudwatch-alarm"
    DASHBOARD = "dashboard"
    GLUE_DATABASE = "glue-database"
    GLUE_TABLE = "glue-table"
    ATHENA_WORKGROUP = "athena-workgroup"
    REST_API = "rest-api"


@dataclass(frozen=True)
class NameRule:
    """What AWS accepts as the name of one kind; prefix and suffix count towards the length."""

    max_length: int
    pattern: re.Pattern[str]
    min_length: int = 1
    separator: str = "-"
    prefix: str = ""
    suffix: str = ""
    global_scope: bool = False
    reserved_prefixes: tuple[str, ...] = ()
    reserved_suffixes: tuple[str, ...] = ()


def _pattern(regex: str) -> re.Pattern[str]:
    return re.compile(regex, re.ASCII)


_IAM_NAME = _pattern(r"[A-Za-z0-9_+=,.@-]+")
_ALNUM_DASH_UNDERSCORE = _pattern(r"[A-Za-z0-9_-]+")
_SCHEDULER_NAME = _pattern(r"[A-Za-z0-9_.-]+")
# Athena reads Glue names as SQL identifiers: lowercase, `_` only, and a leading letter
# spares every query the backquotes (stricter than Glue's own 1-255 UTF-8 characters).
_SQL_IDENTIFIER = _pattern(r"[a-z][a-z0-9_]*")

# Each row cites the AWS API reference or guide it comes from (checked against the docs).
_S3_BUCKET = _pattern(r"(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]*[a-z0-9]")
NAME_RULES: Final[Mapping[ResourceKind, NameRule]] = MappingProxyType(
    {
        # S3 user guide, "General purpose bucket naming rules"; names are global.
        ResourceKind.S3_BUCKET: NameRule(
            63,
            _S3_BUCKET,
            min_length=3,
            global_scope=True,
            reserved_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
            reserved_suffixes=("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"),
        ),
        # IAM CreateRole RoleName: 1-64, [\w+=,.@-]+; IAM names are unique case-insensitively.
        ResourceKind.IAM_ROLE: NameRule(64, _IAM_NAME),
        # IAM CreatePolicy PolicyName (boundaries are managed policies too): 1-128.
        ResourceKind.IAM_POLICY: NameRule(128, _IAM_NAME),
        ResourceKind.IAM_PERMISSION_BOUNDARY: NameRule(128, _IAM_NAME),
        # IAM CreateInstanceProfile InstanceProfileName: 1-128.
        ResourceKind.IAM_INSTANCE_PROFILE: NameRule(128, _IAM_NAME),
        # Lambda CreateFunction FunctionName (the bare name, not an ARN): 1-64.
        ResourceKind.LAMBDA_FUNCTION: NameRule(64, _ALNUM_DASH_UNDERSCORE),
        # CloudWatch Logs CreateLogGroup: 1-512, [\.\-_/#A-Za-z0-9]+.
        ResourceKind.LOG_GROUP: NameRule(512, _pattern(r"[A-Za-z0-9_./#-]+")),
        # SQS CreateQueue QueueName: 1-80; a FIFO queue's name ends in ".fifo", within the 80.
        ResourceKind.SQS_QUEUE: NameRule(80, _ALNUM_DASH_UNDERSCORE),
        ResourceKind.SQS_FIFO_QUEUE: NameRule(
            80, _pattern(r"[A-Za-z0-9_-]+\.fifo"), suffix=".fifo"
        ),
        # SNS CreateTopic Name: 1-256.
        ResourceKind.SNS_TOPIC: NameRule(256, _ALNUM_DASH_UNDERSCORE),
        # DynamoDB CreateTable TableName: 3-255, [a-zA-Z0-9_.-]+.
        ResourceKind.DYNAMODB_TABLE: NameRule(255, _pattern(r"[A-Za-z0-9_.-]+"), min_length=3),
        # KMS CreateAlias AliasName: 1-256 including "alias/"; "alias/aws/" is AWS-managed keys'.
        ResourceKind.KMS_ALIAS: NameRule(
            256,
            _pattern(r"alias/[A-Za-z0-9/_-]+"),
            prefix="alias/",
            reserved_prefixes=("alias/aws/",),
        ),
        # Step Functions CreateStateMachine name: 1-80; only 0-9 A-Z a-z - _ keep CloudWatch
        # logging possible, so that is the rule here.
        ResourceKind.STATE_MACHINE: NameRule(80, _ALNUM_DASH_UNDERSCORE),
        # EventBridge Scheduler CreateSchedule / CreateScheduleGroup Name: 1-64, [0-9a-zA-Z-_.]+.
        ResourceKind.SCHEDULE: NameRule(64, _SCHEDULER_NAME),
        ResourceKind.SCHEDULE_GROUP: NameRule(64, _SCHEDULER_NAME),
        # CloudWatch PutMetricAlarm AlarmName: 1-255, any character but control characters.
        ResourceKind.CLOUDWATCH_ALARM: NameRule(255, _pattern(r"[^\x00-\x1f\x7f-\x9f]+")),
        # CloudWatch PutDashboard DashboardName: 1-255, A-Z a-z 0-9 - _.
        ResourceKind.DASHBOARD: NameRule(255, _ALNUM_DASH_UNDERSCORE),
        # Glue CreateDatabase / CreateTable Name: 1-255; Athena's naming guide: lowercase, `_`.
        ResourceKind.GLUE_DATABASE: NameRule(255, _SQL_IDENTIFIER, separator="_"),
        ResourceKind.GLUE_TABLE: NameRule(255, _SQL_IDENTIFIER, separator="_"),
        # Athena CreateWorkGroup Name: [a-zA-Z0-9._-]{1,128}.
        ResourceKind.ATHENA_WORKGROUP: NameRule(128, _pattern(r"[A-Za-z0-9._-]+")),
        # API Gateway CreateRestApi name: AWS documents no limit; 128 is our cap.
        ResourceKind.REST_API: NameRule(128, _ALNUM_DASH_UNDERSCORE),
    }
)

# Single dashes only: a name joins its parts with "-", so "dev--eu" would read "dev-eu" and
# the account's prefix (ProjectNames.account_prefix) would no longer match its resources.
_ACCOUNT_NAME = _pattern(r"(?=.{1,32}$)[a-z0-9]+(?:-[a-z0-9]+)*")
_ACCOUNT_ID = _pattern(r"[0-9]{12}")
_PROJECT = _pattern(r"[A-Za-z0-9._-]+")
_HAS_ALNUM = _pattern(r"[A-Za-z0-9]")
_NOT_SLUG = _pattern(r"[^a-z0-9]+")
_COMPASS: Final = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c"}
# Region names write intercardinal directions as one word: "southeast" -> "se".
_DIRECTIONS: Final = _COMPASS | {
    ns + ew: _COMPASS[ns] + _COMPASS[ew] for ns in ("north", "south") for ew in ("east", "west")
}
_REGION = _pattern(
    r"(?P<area>[a-z]{2})-(?:(?P<partition>gov|iso|isob|isoe|isof)-)?"
    rf"(?P<direction>{'|'.join(_DIRECTIONS)})-(?P<number>[1-9][0-9]?)"
)


def region_short(region: str) -> str:
    """The compact form of a region used in names: ``eu-west-1`` -> ``euw1``."""
    match = _REGION.fullmatch(region)
    if match is None:
        raise NamingError(
            f"region {region!r} is not an AWS region name: expected e.g. 'eu-west-1', "
            "'ap-southeast-2' or 'us-gov-west-1'"
        )
    partition = match["partition"] or ""
    return f"{match['area']}{partition}{_DIRECTIONS[match['direction']]}{match['number']}"


def check_name(kind: ResourceKind, name: str) -> str:
    """Return ``name`` if AWS accepts it as a ``kind`` name; raise NamingError otherwise."""
    rule = NAME_RULES[kind]
    if not rule.min_length <= len(name) <= rule.max_length:
        raise NamingError(
            f"{kind} name {name!r} has {len(name)} characters: "
            f"expected {rule.min_length} to {rule.max_length}"
        )
    if rule.pattern.fullmatch(name) is None:
        raise NamingError(f"{kind} name {name!r} must match {rule.pattern.pattern}")
    reserved = [part for part in rule.reserved_prefixes if name.startswith(part)]
    reserved += [part for part in rule.reserved_suffixes if name.endswith(part)]
    if reserved:
        raise NamingError(f"{kind} name {name!r} contains {reserved[0]!r}, which AWS reserves")
    return name


def _slug(text: str, separator: str) -> str:
    """Lowercase ASCII letters and digits, every other run of characters one separator."""
    return _NOT_SLUG.sub(separator, text.lower()).strip(separator)


@dataclass(frozen=True, kw_only=True)
class NameSpec:
    """The inputs every name of one resource is made of, checked when built."""

    account: str
    project: str
    purpose: str
    region: str | None = None
    account_id: str | None = None

    def __post_init__(self) -> None:
        if _ACCOUNT_NAME.fullmatch(self.account) is None:
            raise NamingError(
                f"account name {self.account!r} is invalid: expected 1 to 32 of a-z, 0-9 "
                "and single '-', starting and ending with a letter or digit"
            )
        if self.account_id is not None and _ACCOUNT_ID.fullmatch(self.account_id) is None:
            raise NamingError(f"account id {self.account_id!r} is invalid: expected 12 digits")
        if self.region is not None:
            region_short(self.region)
        if _PROJECT.fullmatch(self.project) is None or not _HAS_ALNUM.search(self.project):
            raise NamingError(
                f"project {self.project!r} is not a Pulumi project name: expected letters, "
                "digits, '.', '_' or '-', at least one letter or digit"
            )
        if not _HAS_ALNUM.search(self.purpose):
            raise NamingError(
                f"purpose {self.purpose!r} says nothing: expected text with at least one "
                "ASCII letter or digit, e.g. 'reports'"
            )

    def digest(self, kind: ResourceKind) -> str:
        """8 hex characters of SHA-256 over the kind and the exact inputs (stable everywhere)."""
        identity = [kind.value, self.account, self.account_id, self.region]
        identity += [self.project, self.purpose]
        encoded = json.dumps(identity).encode("ascii")
        return hashlib.sha256(encoded).hexdigest()[:DIGEST_LENGTH]

    def name(self, kind: ResourceKind) -> str:
        """The name of this resource as a ``kind``, checked against the kind's rule."""
        rule = NAME_RULES[kind]
        separator = rule.separator
        tail: list[str] = []
        if self.region is not None:
            tail.append(region_short(self.region))
        if rule.global_scope:
            if self.account_id is None:
                raise NamingError(
                    f"{kind} names are global across all AWS accounts: "
                    f"pass account_id (12 digits) for account {self.account!r}"
                )
            tail.append(self.account_id)
        tail.append(self.digest(kind))
        ending = separator + separator.join(tail) + rule.suffix
        parts = (NAME_PREFIX, self.account, self.project, self.purpose)
        head = separator.join(_slug(part, separator) for part in parts)
        # The digest in `ending` keeps what the cut loses: shortening never merges names.
        room = rule.max_length - len(rule.prefix) - len(ending)
        return check_name(kind, rule.prefix + head[:room].rstrip(separator) + ending)


def resource_name(
    kind: ResourceKind,
    *,
    account: str,
    region: str | None,
    project: str,
    purpose: str,
    account_id: str | None = None,
) -> str:
    """The physical name of one resource; ``account_id`` is required for global kinds."""
    spec = NameSpec(
        account=account, project=project, purpose=purpose, region=region, account_id=account_id
    )
    return spec.name(kind)


def bucket_name(
    *, account: str, account_id: str, region: str | None, project: str, purpose: str
) -> str:
    """The globally unique name of an S3 bucket."""
    spec = NameSpec(
        account=account, project=project, purpose=purpose, region=region, account_id=account_id
    )
    return spec.name(ResourceKind.S3_BUCKET)


def lambda_log_group_name(function_name: str) -> str:
    """The log group Lambda writes a function's logs to: ``/aws/lambda/<function name>``."""
    check_name(ResourceKind.LAMBDA_FUNCTION, function_name)
    return check_name(ResourceKind.LOG_GROUP, LAMBDA_LOG_GROUP_PREFIX + function_name)


@dataclass(frozen=True, kw_only=True)
class ProjectNames:
    """Every name one project uses in one account, and the prefixes policies match them by.

    The one names helper of the Pulumi programs (``StackContext.names`` builds it for the
    running stack)::

        names = ProjectNames(account="dev", account_id="111111111111", project="core")
        names.account_prefix                  # "estate-dev-": every platform resource
        names.project_prefix                  # "estate-dev-core-": this project's resources
        names.name(ResourceKind.SQS_QUEUE, "ingest")              # a physical name
        names.name(ResourceKind.LAMBDA_FUNCTION, "ingest", region="eu-west-1")
        names.role_arn("ingest")              # ARN of the role named name(IAM_ROLE, "ingest")
        names.policy_arn("boundary", ResourceKind.IAM_PERMISSION_BOUNDARY)

    ARNs are predictable from names, so a stack can name another project's role without a
    StackReference (org-iam's scanner trust names the fleet's roles before they exist).
    Global kinds (S3 buckets) get the account id added automatically.
    """

    account: str
    account_id: str
    project: str

    def __post_init__(self) -> None:
        # NameSpec checks account, account id and project, with its one-line messages.
        NameSpec(
            account=self.account, project=self.project, purpose="x", account_id=self.account_id
        )
        if (
            len(self.project_prefix) + 1 + DIGEST_LENGTH
            > NAME_RULES[ResourceKind.IAM_ROLE].max_length
        ):
            raise NamingError(
                f"project {self.project!r} in account {self.account!r}: the prefix "
                f"{self.project_prefix!r} leaves no room for a purpose in a 64-character role "
                "name; shorten the project name"
            )

    @property
    def account_prefix(self) -> str:
        """What every platform resource name of the account starts with (``estate-dev-``)."""
        return account_prefix(self.account)

    @property
    def project_prefix(self) -> str:
        """What this project's names start with when not cut short (``estate-dev-core-``)."""
        return f"{self.account_prefix}{_slug(self.project, '-')}-"

    def name(self, kind: ResourceKind, purpose: str, *, region: str | None = None) -> str:
        """The physical name of this project's ``purpose`` as a ``kind``."""
        spec = NameSpec(
            account=self.account,
            project=self.project,
            purpose=purpose,
            region=region,
            account_id=self.account_id if NAME_RULES[kind].global_scope else None,
        )
        return spec.name(kind)

    def role_arn(self, purpose: str) -> str:
        """The ARN of this project's IAM role ``purpose`` (no path)."""
        return f"arn:aws:iam::{self.account_id}:role/{self.name(ResourceKind.IAM_ROLE, purpose)}"

    def policy_arn(self, purpose: str, kind: ResourceKind = ResourceKind.IAM_POLICY) -> str:
        """The ARN of this project's customer managed policy (or boundary) ``purpose``."""
        if kind not in (ResourceKind.IAM_POLICY, ResourceKind.IAM_PERMISSION_BOUNDARY):
            raise NamingError(f"policy_arn takes a policy kind, not {kind}")
        return f"arn:aws:iam::{self.account_id}:policy/{self.name(kind, purpose)}"


def account_prefix(account: str) -> str:
    """What every platform resource name of ``account`` starts with: ``estate-<account>-``.

    Exact for every kind with a ``-`` separator and no fixed prefix: the account part is at
    most 32 characters, so shortening never reaches it.
    """
    NameSpec(account=account, project="x", purpose="x")  # the account name's checks
    return f"{NAME_PREFIX}-{account}-"
