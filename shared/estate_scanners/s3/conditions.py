"""Which policy conditions limit a statement to known callers (and so keep it from being public).

The rules are the S3 User Guide's, "Blocking public access to your Amazon S3 storage",
section "The meaning of 'public'", subsection "Bucket policies" (`S3_PUBLIC` below;
summarised in docs/checks.md, "The meaning of public"):

    "To be considered non-public, a bucket policy must grant access only to fixed values
    (values that don't contain a wildcard or an AWS Identity and Access Management Policy
    Variable) for one or more of the following: ..."

followed by the keys of `DOCUMENTED_KEYS`. Each rule below cites the sentence it
encodes. Where the document leaves a case open, the reading says so in `undetermined`
(carried into the finding's evidence) and the verdict stays what the code has always
given; nothing is guessed silently.

What the document does not say but IAM's operators decide (`IAM_OPERATORS`): only a
positive operator grants "only to fixed values". A negated operator (`StringNotEquals`,
`NotIpAddress`, ...) matches every other value; `...IfExists`: "If the key is not
present, evaluate the condition element as true"; `ForAllValues:` "returns true if there
are no context keys in the request"; `Null` tests presence, not value. None of them
limits. Conditions are ANDed, so one limiting condition limits the statement; the values
of one key are ORed, so every value must be fixed.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from estate_scanners.s3.policy import Condition, PolicyStatement

S3_PUBLIC = (
    "https://docs.aws.amazon.com/AmazonS3/latest/userguide/"
    "access-control-block-public-access.html#access-control-block-public-access-policy-status"
)
IAM_OPERATORS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"

# S3_PUBLIC, "Bucket policies": the keys listed after "for one or more of the following".
# aws:PrincipalOrgID is the document's own example of "An AWS principal, user, role, or
# service principal (e.g. aws:PrincipalOrgID)".
DOCUMENTED_KEYS = frozenset(
    {
        "aws:principalorgid",
        "aws:sourceip",
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceowner",
        "aws:sourceaccount",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "aws:userid",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
    }
)

# Not listed by name. Each names the calling principal exactly as a `Principal` element
# does (an ARN, an account, a path inside an organization), so we read it under the first
# bullet, "An AWS principal, user, role, or service principal (e.g. aws:PrincipalOrgID)",
# and say so in the evidence: an open case, not the document's words.
PRINCIPAL_KEYS_READ_UNDER_FIRST_BULLET = frozenset(
    {"aws:principalarn", "aws:principalaccount", "aws:principalorgpaths"}
)

LIMITING_KEYS = DOCUMENTED_KEYS | PRINCIPAL_KEYS_READ_UNDER_FIRST_BULLET

# Positive operators: the request's value must equal or match one of the policy's values.
LIMITING_OPERATORS = frozenset(
    {
        "StringEquals",
        "StringEqualsIgnoreCase",
        "StringLike",
        "ArnEquals",
        "ArnLike",
        "IpAddress",
    }
)
# A single-valued key compared with ForAnyValue: still needs one of the fixed values.
# ForAllValues: is left out: IAM says it is true when the key is absent from the request.
ANY_VALUE = "ForAnyValue:"

# S3_PUBLIC, note under aws:SourceIp: "This includes values broader than /8 for IPv4 and
# /32 for IPv6 (excluding RFC1918 private ranges)".
MIN_IPV4_PREFIX = 8
MIN_IPV6_PREFIX = 32
RFC1918 = tuple(
    ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)

# S3_PUBLIC: "aws:userid, outside the pattern "AROLEID:*"" (a role's unique id, then ":*").
ROLE_SESSIONS = re.compile(r"^AROA[0-9A-Z]+:\*$")
# S3_PUBLIC, note under s3:DataAccessPointArn: "this value can contain a wildcard for the
# access point name without rendering the policy public, as long as the account id is fixed".
ACCESS_POINT_ARN = re.compile(
    r"^arn:(?P<partition>[^:]*):s3:(?P<region>[^:]*):(?P<account>[^:]*):accesspoint/(?P<name>.+)$"
)


@dataclass(frozen=True, slots=True)
class ConditionReading:
    """Whether one condition limits, which rule decided, and the open case it rests on, if any."""

    condition: Condition
    limits: bool
    rule: str
    undetermined: str | None = None

    def as_evidence(self) -> dict[str, object]:
        """The reading as finding evidence."""
        evidence: dict[str, object] = {**self.condition.as_evidence(), "rule": self.rule}
        if self.undetermined:
            evidence["undetermined"] = self.undetermined
        return evidence


def read_condition(condition: Condition) -> ConditionReading:
    """Whether this one condition pins the caller to fixed values, and by which rule."""
    operator = condition.operator.removeprefix(ANY_VALUE)
    if operator not in LIMITING_OPERATORS:
        # IAM_OPERATORS: negated, ...IfExists, ForAllValues:, Null and the rest do not
        # restrict the request to the listed values.
        return ConditionReading(condition, False, "operator is not a positive match")
    if condition.key not in LIMITING_KEYS:
        # S3_PUBLIC: "Amazon S3 begins by assuming that the policy is public": a key the
        # document does not list proves nothing.
        return ConditionReading(condition, False, "key is not one the document lists")
    if not condition.values:
        return ConditionReading(condition, False, "no values")
    readings = [_read_value(condition.key, value) for value in condition.values]
    open_cases = sorted({note for _, note in readings if note})
    limits = all(fixed for fixed, _ in readings)
    rule = f"{'fixed' if limits else 'not fixed'} value(s) of {condition.key}"
    return ConditionReading(condition, limits, rule, "; ".join(open_cases) or None)


def is_limiting(condition: Condition) -> bool:
    """Whether this one condition pins the caller to fixed, known values."""
    return read_condition(condition).limits


def is_limited(statement: PolicyStatement) -> bool:
    """Whether any condition of the statement limits it (conditions are ANDed)."""
    return any(is_limiting(condition) for condition in statement.conditions)


def limiting_conditions(statement: PolicyStatement) -> list[ConditionReading]:
    """The readings of the statement's limiting conditions, for evidence."""
    readings = (read_condition(condition) for condition in statement.conditions)
    return [reading for reading in readings if reading.limits]


def open_cases(statement: PolicyStatement) -> list[str]:
    """The open cases any of the statement's conditions rests on."""
    readings = (read_condition(condition) for condition in statement.conditions)
    return [reading.undetermined for reading in readings if reading.undetermined]


def is_fixed(value: str) -> bool:
    """S3_PUBLIC: "fixed values (values that don't contain a wildcard or an ... Policy Variable)"."""
    return bool(value) and "*" not in value and "?" not in value and "${" not in value


def _read_value(key: str, value: str) -> tuple[bool, str | None]:
    """Whether one value of a positive condition on `key` is fixed, and any open case."""
    if key == "aws:sourceip":
        return _read_cidr(value)
    if key == "aws:userid":
        return _read_userid(value)
    if key == "s3:dataaccesspointarn":
        return _read_access_point_arn(value)
    if key in PRINCIPAL_KEYS_READ_UNDER_FIRST_BULLET:
        note = (
            f"{key} is not listed by name; read as 'An AWS principal, user, role, or service "
            "principal (e.g. aws:PrincipalOrgID)'"
        )
        return is_fixed(value), note if is_fixed(value) else None
    return is_fixed(value), None


def _read_cidr(value: str) -> tuple[bool, str | None]:
    # S3_PUBLIC: "A set of Classless Inter-Domain Routings (CIDRs), using aws:SourceIp" and
    # its note: "very broad IP ranges (for example, 0.0.0.0/1) are evaluated as "public."
    # This includes values broader than /8 for IPv4 and /32 for IPv6".
    try:
        network = ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False, None
    minimum = MIN_IPV4_PREFIX if network.version == 4 else MIN_IPV6_PREFIX
    narrow = network.prefixlen >= minimum
    private = isinstance(network, ipaddress.IPv4Network) and any(
        network.subnet_of(block) for block in RFC1918
    )
    if private:
        # The note's "(excluding RFC1918 private ranges)" is not explained: every RFC1918
        # block is /8 or narrower, so the prefix rule credits it; we say it is open.
        return narrow, (
            f"{value} is an RFC1918 private range; the document's '(excluding RFC1918 "
            "private ranges)' does not say how such ranges are judged"
        )
    return narrow, None


def _read_userid(value: str) -> tuple[bool, str | None]:
    # S3_PUBLIC: "aws:userid, outside the pattern "AROLEID:*"".
    if ROLE_SESSIONS.match(value):
        # Every session of one role. The document names the pattern without saying whether
        # its wildcard is allowed or excluded; it contains a wildcard, so it is not credited.
        return False, (
            f"{value} has the form AROLEID:*; the document's 'outside the pattern' does not "
            "say whether it limits"
        )
    return is_fixed(value), None


def _read_access_point_arn(value: str) -> tuple[bool, str | None]:
    if is_fixed(value):
        return True, None
    parts = ACCESS_POINT_ARN.match(value)
    if (
        parts is None
        or not is_fixed(parts["account"])
        or not is_fixed(parts["partition"])
        or "${" in parts["name"]
    ):
        # "... as long as the account id is fixed."
        return False, None
    if is_fixed(parts["region"]):
        # "... can contain a wildcard for the access point name without rendering the
        # policy public, as long as the account id is fixed."
        return True, None
    return False, (
        f"{value} has a wildcard outside the access point name; the document allows one "
        "only in the access point name"
    )
