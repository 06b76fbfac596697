"""One statement of an identity policy: real actions, on named resources, under conditions.

Only ``Action`` and ``Resource`` are expressible: ``NotAction``, ``NotResource`` and
``Principal`` have no field, so an identity policy can never carry them. Every rule
is checked when the statement is built, and again once its Outputs have resolved
(``dataclasses.replace`` re-runs ``__post_init__``).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from enum import StrEnum

import pulumi

from estate.iam.catalogue import action_catalogue
from estate.iam.conditions import Condition
from estate.iam.errors import PolicyError
from estate.iam.resource_star import RESOURCE_STAR_ACTIONS, account_wide_read_actions

_SID = re.compile(r"^[A-Za-z0-9]{1,128}$")
_ACTION_FORM = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9][A-Za-z0-9-]*$")
# partition : service : region : account : resource — wildcards only in the resource part
_ARN = re.compile(
    r"^arn:aws[a-z-]*:(?P<service>[a-z0-9-]+):[a-z0-9-]*:(?P<account>[0-9]{12}|aws)?:(?P<resource>\S+)$"
)
_SEGMENTS = re.compile(r"[/:]")
# Services whose resource part starts with the name itself ("bucket/key", "queue-name");
# every other service starts with a resource type ("role/name", "function:name", "table/name").
_NAME_FIRST_SERVICES = frozenset({"s3", "sqs", "sns"})
# Services whose resource ARNs always carry the account id: one without it is a wildcard.
_ACCOUNT_SERVICES = frozenset(
    {
        "athena",
        "dynamodb",
        "glue",
        "iam",
        "kms",
        "lambda",
        "logs",
        "scheduler",
        "sns",
        "sqs",
        "states",
    }
)
_WILDCARDS = re.compile(r"[*?]")


class Effect(StrEnum):
    """What a statement does with the access it names."""

    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True)
class Statement:
    """One statement of an identity policy; resources are ARNs (Outputs welcome) or ``"*"``."""

    sid: str
    actions: tuple[str, ...]
    resources: tuple[pulumi.Input[str], ...]
    effect: Effect = Effect.ALLOW
    conditions: tuple[Condition, ...] = ()

    def __post_init__(self) -> None:
        if not _SID.fullmatch(self.sid):
            raise PolicyError(
                f"statement sid {self.sid!r} is not 1-128 letters and digits; "
                "name it like ReadReportObjects"
            )
        if not isinstance(self.effect, Effect):
            raise PolicyError(f"statement {self.sid}: effect {self.effect!r}; use Effect.ALLOW")
        _check_actions(self.sid, self.actions)
        _check_resources(self.sid, self.actions, self.resources)
        for condition in self.conditions:
            if not isinstance(condition, Condition):
                raise PolicyError(
                    f"statement {self.sid}: condition {condition!r} is no Condition; "
                    "build it as Condition(operator, key, values)"
                )


def _require_tuple(sid: str, field: str, value: object, of_what: str) -> None:
    # Typed callers cannot pass a bare string, but an untyped one would see it split
    # into characters: refuse it by name instead.
    if not isinstance(value, tuple) or not value:
        raise PolicyError(
            f"statement {sid}: {field} {value!r}; give a non-empty tuple of {of_what}"
        )


def _check_actions(sid: str, actions: tuple[str, ...]) -> None:
    _require_tuple(sid, "actions", actions, "service:Action names")
    catalogue = action_catalogue()
    for action in actions:
        if "*" in action or "?" in action:
            raise PolicyError(
                f"statement {sid}: action {action!r} is a wildcard; "
                "list every action the code calls, e.g. s3:GetObject"
            )
        if not _ACTION_FORM.fullmatch(action):
            raise PolicyError(
                f"statement {sid}: action {action!r} is not of the form service:Action; "
                "write it like s3:GetObject"
            )
        canonical = catalogue.canonical(action)
        if canonical is None:
            raise PolicyError(
                f"statement {sid}: action {action!r} is no IAM action AWS documents; "
                "check its name in the Service Authorization Reference"
            )
        if canonical != action:
            raise PolicyError(
                f"statement {sid}: action {action!r} is spelled differently from the "
                f"documented {canonical!r}; write {canonical}"
            )


def _check_resources(
    sid: str, actions: tuple[str, ...], resources: tuple[pulumi.Input[str], ...]
) -> None:
    _require_tuple(sid, "resources", resources, "ARNs")
    if "*" in resources:
        _check_resource_star(sid, actions, resources)
        return
    for resource in resources:
        if isinstance(resource, str):
            _check_arn(sid, resource, actions)
        elif not isinstance(resource, pulumi.Output) and not inspect.isawaitable(resource):
            raise PolicyError(
                f"statement {sid}: resource {resource!r} is neither an ARN nor an Output of "
                "one; pass the resource's .arn (an Output must not resolve to None)"
            )
    catalogue = action_catalogue()
    for action in actions:
        info = catalogue.info(action)
        if info is not None and not info.supports_resource_level_permissions:
            raise PolicyError(
                f"statement {sid}: action {action} supports no resource-level permission, "
                "so no ARN grants it; move it to a statement whose only resource is '*'"
            )


def _check_resource_star(
    sid: str, actions: tuple[str, ...], resources: tuple[pulumi.Input[str], ...]
) -> None:
    if len(resources) != 1:
        raise PolicyError(
            f"statement {sid}: resource '*' beside other resources {resources!r}; "
            "give '*' alone in a statement of its own"
        )
    not_allowed = sorted(set(actions) - RESOURCE_STAR_ACTIONS.keys())
    if not_allowed:
        raise PolicyError(
            f"statement {sid}: resource '*' for {', '.join(not_allowed)}, which "
            "RESOURCE_STAR_ACTIONS does not list; name the resources' ARNs instead "
            "(or, if AWS documents no resource type for it, add it there with the reason)"
        )


def _check_arn(sid: str, resource: str, actions: tuple[str, ...]) -> None:
    match = _ARN.fullmatch(resource)
    if match is None:
        raise PolicyError(
            f"statement {sid}: resource {resource!r} is not an ARN "
            "(arn:partition:service:region:account:resource); pass the resource's .arn Output"
        )
    # Empty segments ("log-group:/aws/lambda/x") name nothing: skip them.
    segments = [part for part in _SEGMENTS.split(match["resource"]) if part]
    service = match["service"]
    name = segments[0] if service in _NAME_FIRST_SERVICES or len(segments) == 1 else segments[1]
    if not _WILDCARDS.sub("", name) and not _account_wide_read(actions, resource):
        raise PolicyError(
            f"statement {sid}: resource {resource!r} matches resources of any name; "
            "name the resource's ARN (a wildcard may only follow a name, e.g. /* or estate-*)"
        )
    if match["account"] is None and service in _ACCOUNT_SERVICES:
        raise PolicyError(
            f"statement {sid}: resource {resource!r} names no account; "
            "use the resource's .arn, which carries its account id"
        )


def _account_wide_read(actions: tuple[str, ...], resource: str) -> bool:
    """Every bucket of the account, read by the scanner (resource_star.py says why)."""
    return resource == ALL_BUCKETS and set(actions) <= account_wide_read_actions()


ALL_BUCKETS = "arn:aws:s3:::*"
"""Every bucket: only ``account_wide_read_actions()`` may be granted on it."""
