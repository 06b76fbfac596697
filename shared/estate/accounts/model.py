"""The estate as typed data: the organisation and one model per account file."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Self
from zoneinfo import available_timezones

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from estate.accounts.regions import KNOWN_REGIONS
from estate.tags import validate_tags
from estate_runtime.patterns import UnsafePattern, compile_rule_pattern
from estate_scanners.tags.rules import RulesInvalid, parse_rules

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
# Lowercase letters, digits and single dashes: estate.naming joins name parts with "-", so
# "dev--eu" would collapse to "dev-eu" in every resource name and no longer match its prefix.
ACCOUNT_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
ACCOUNT_NAME_LENGTH = (2, 32)
GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ROLE_ARN = re.compile(r"^arn:aws:iam::(?P<account>[0-9]{12}):role/[\w+=,.@/-]{1,512}$")
SCHEDULE = re.compile(
    r"^(cron\((\S+ ){5}\S+\)|rate\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\))$"
)
# CloudWatch Logs accepts only these retention periods (PutRetentionPolicy).
LOG_RETENTION_DAYS = frozenset(
    {
        1,
        3,
        5,
        7,
        14,
        30,
        60,
        90,
        120,
        150,
        180,
        365,
        400,
        545,
        731,
        1096,
        1827,
        2192,
        2557,
        2922,
        3288,
        3653,
    }
)
_TIMEZONES = frozenset(available_timezones())
DEFAULT_ERROR_RATE_PERCENT = 5.0


class Stage(StrEnum):
    """How close to production an account is."""

    DEV = "dev"
    STAGING = "staging"
    PROD = "prod"


class Severity(StrEnum):
    """Finding severities, as in the findings format."""

    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"
    INFORMATIONAL = "INFORMATIONAL"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RequiredTag(_Strict):
    """One entry of ``required_tags`` as written in YAML: the key must exist; its value must be
    allowed or match the pattern.

    What a rule *means* is the scanners' one ``TagRule`` (``estate_scanners.tags.rules``),
    built from ``payload()`` by the parser both scanners run on their event; this model is
    only the YAML's shape and its per-field messages. The pattern compiles through
    ``estate_runtime.patterns.compile_rule_pattern``, the only way a rule pattern compiles:
    one that could backtrack catastrophically is refused here, naming the field.
    """

    key: str
    values: tuple[str, ...] | None = None
    pattern: str | None = None

    @field_validator("key")
    @classmethod
    def _valid_key(cls, key: str) -> str:
        validate_tags({key: ""})  # the AWS tag-key rules, from one place
        return key

    @field_validator("pattern")
    @classmethod
    def _safe_pattern(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                compile_rule_pattern(pattern)
            except UnsafePattern as error:
                raise ValueError(f"is refused: {error.reason}") from None
        return pattern

    @model_validator(mode="after")
    def _one_constraint(self) -> Self:
        if self.values is not None and self.pattern is not None:
            raise ValueError("set either values or pattern, not both")
        if self.values is not None and not self.values:
            raise ValueError("values is empty; list the allowed values or remove the key")
        return self

    def payload(self) -> dict[str, Any]:
        """The rule as the scanners read it (JSON, see estate_scanners.tags.rules)."""
        return {
            "key": self.key,
            "values": list(self.values) if self.values is not None else None,
            "pattern": self.pattern,
        }


class ScanSettings(_Strict):
    """When the scanners run in this account, which of them, and which accounts it scans.

    ``targets`` makes this account a scanning hub: its scanner fleet also scans the named
    accounts (through each one's org-iam ``scanner`` role). An account no hub names
    scans itself.
    """

    schedule: Annotated[str, Field(pattern=SCHEDULE.pattern)]
    timezone: str = "UTC"
    s3: bool = True
    tags: bool = True
    targets: tuple[str, ...] = ()

    @field_validator("targets")
    @classmethod
    def _target_names(cls, targets: tuple[str, ...]) -> tuple[str, ...]:
        for target in targets:
            if not ACCOUNT_NAME.fullmatch(target) or len(target) > ACCOUNT_NAME_LENGTH[1]:
                raise ValueError(f"{target!r} is not an account name; list account file names")
        if len(set(targets)) != len(targets):
            raise ValueError("names an account twice; list each target once")
        return targets

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, timezone: str) -> str:
        if timezone not in _TIMEZONES:
            raise ValueError("is not an IANA time zone; use e.g. UTC or Europe/Dublin")
        return timezone


class Alerts(_Strict):
    """Who hears about new severe findings, and from which severity on."""

    emails: tuple[Annotated[str, Field(pattern=EMAIL.pattern)], ...] = ()
    min_severity: Severity = Severity.HIGH
    # The observability project's Lambda and API error-rate alarms: 100 x errors / requests
    # above this, two periods running, reaches the alert topic.
    error_rate_percent: float = DEFAULT_ERROR_RATE_PERCENT

    @field_validator("error_rate_percent", mode="before")
    @classmethod
    def _a_percentage(cls, value: object) -> object:
        # YAML's true would pass as 1.0, and nan or 100 would make an alarm that never fires.
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 100:
            raise ValueError(
                "is not a percentage above 0 and below 100; write a number such as "
                f"{DEFAULT_ERROR_RATE_PERCENT:g}"
            )
        return value

    @field_validator("min_severity", mode="before")
    @classmethod
    def _severity_from_yaml(cls, value: object) -> object:
        return (
            Severity(value)
            if isinstance(value, str) and value in Severity.__members__.values()
            else value
        )


class Sizes(_Strict):
    """Per-account sizes: what dev and prod may differ in."""

    log_retention_days: int = 30
    api_provisioned_concurrency: Annotated[int, Field(ge=0, le=100)] = 0

    @field_validator("log_retention_days")
    @classmethod
    def _cloudwatch_retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            allowed = ", ".join(str(d) for d in sorted(LOG_RETENTION_DAYS))
            raise ValueError(f"is not a CloudWatch Logs retention period; use one of {allowed}")
        return days


class SecurityHubExport(_Strict):
    """Whether core sends this account's finding transitions to AWS Security Hub."""

    enabled: bool = False


class Account(_Strict):
    """One AWS account of the estate (accounts/<name>.yaml); `name` is the file's stem."""

    name: str
    account_id: str
    stage: Stage
    regions: tuple[str, ...]
    scan: ScanSettings
    required_tags: tuple[RequiredTag, ...] = ()
    alerts: Alerts = Alerts()
    sizes: Sizes = Sizes()
    security_hub: SecurityHubExport = SecurityHubExport()
    assume_role_arn: str | None = None

    @field_validator("name")
    @classmethod
    def _plain_name(cls, name: str) -> str:
        low, high = ACCOUNT_NAME_LENGTH
        if not (ACCOUNT_NAME.fullmatch(name) and low <= len(name) <= high):
            raise ValueError(
                "the file name must be 2-32 lowercase letters, digits and single dashes, "
                "starting with a letter ('--' would collapse in resource names, which join "
                "parts with '-'); rename the file"
            )
        return name

    @field_validator("stage", mode="before")
    @classmethod
    def _stage_from_yaml(cls, value: object) -> object:
        return (
            Stage(value)
            if isinstance(value, str) and value in Stage.__members__.values()
            else value
        )

    @field_validator("account_id", mode="before")
    @classmethod
    def _quoted_twelve_digits(cls, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            raise ValueError(
                'must be quoted (YAML reads bare digits as a number); write "123456789012"'
            )
        if isinstance(value, str) and not ACCOUNT_ID.match(value):
            raise ValueError("is not a 12-digit AWS account id; write exactly 12 digits, quoted")
        return value

    @field_validator("regions")
    @classmethod
    def _known_regions(cls, regions: tuple[str, ...]) -> tuple[str, ...]:
        if not regions:
            raise ValueError("is empty; list at least the primary region")
        for region in regions:
            if region not in KNOWN_REGIONS:
                raise ValueError(f"{region!r} is not an AWS region; use a code like eu-west-1")
        if len(set(regions)) != len(regions):
            raise ValueError("lists a region twice; list each once, primary first")
        return regions

    @field_validator("required_tags")
    @classmethod
    def _unique_tag_keys(cls, rules: tuple[RequiredTag, ...]) -> tuple[RequiredTag, ...]:
        keys = [rule.key for rule in rules]
        if len(set(keys)) != len(keys):
            raise ValueError("names a tag key twice; keep one rule per key")
        if rules:
            try:  # whatever else the scanners' parser refuses (keys differing only in case)
                parse_rules([rule.payload() for rule in rules])
            except RulesInvalid as error:
                raise ValueError(error.reason) from None
        return rules

    @model_validator(mode="after")
    def _role_in_this_account(self) -> Self:
        if self.assume_role_arn is not None:
            match = ROLE_ARN.match(self.assume_role_arn)
            if match is None:
                raise ValueError(
                    "assume_role_arn is not an IAM role ARN (arn:aws:iam::<id>:role/<name>)"
                )
            if match["account"] != self.account_id:
                raise ValueError(
                    "assume_role_arn names another account; use a role in this account"
                )
        return self

    @property
    def primary_region(self) -> str:
        """The region listed first: home of the account's regional singletons."""
        return self.regions[0]

    def tag_rules_payload(self) -> list[dict[str, Any]]:
        """The required-tag rules as the scanners receive them."""
        return [rule.payload() for rule in self.required_tags]


class Organization(_Strict):
    """The organisation (accounts/organization.yaml)."""

    name: Annotated[str, Field(pattern=ACCOUNT_NAME.pattern, min_length=2, max_length=32)]
    pulumi_org: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
    github_repository: Annotated[str, Field(pattern=GITHUB_REPOSITORY.pattern)]
    promotion: tuple[str, ...]
    tags: dict[str, str] = Field(default_factory=dict)

    @field_validator("promotion")
    @classmethod
    def _promotion_unique(cls, promotion: tuple[str, ...]) -> tuple[str, ...]:
        if not promotion:
            raise ValueError(
                "is empty; list the accounts in promotion order, e.g. [dev, staging, prod]"
            )
        if len(set(promotion)) != len(promotion):
            raise ValueError("names an account twice; each account appears once")
        return promotion

    @field_validator("tags")
    @classmethod
    def _valid_tags(cls, tags: dict[str, str]) -> dict[str, str]:
        # The same AWS tag rules as every other tag the platform writes (estate.tags).
        return validate_tags(tags)
