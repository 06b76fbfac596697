"""The finding document: its vocabularies, its builder and its schema-driven validator.

One JSON Schema (``findings.schema.json``, next to this module) defines a finding for the
scanners, the findings pipeline and the Glue table alike. The validator here reads that file
and enforces the subset of JSON Schema it uses (``type``, ``enum``, ``pattern``,
``required``, ``properties``, ``additionalProperties``, ``minLength``/``maxLength``,
``items``); a keyword outside that subset makes it refuse the schema rather than silently
ignore a rule. Lambda code cannot ship the ``jsonschema`` library (stdlib, boto3 and
Powertools only), so a property test checks this validator against ``jsonschema``.

One deliberate difference: JSON Schema patterns are ECMA-262, where ``$`` matches only at
the very end of the string; Python's ``$`` also matches before a trailing newline (and so
does ``jsonschema``, which uses ``re.search``). This validator gives ``$`` its ECMA meaning,
so ``"111111111111\\n"`` is not an account id here.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

SCHEMA_PATH: Final = Path(__file__).with_name("findings.schema.json")

Status = Literal["PASS", "FAIL", "ERROR"]
Severity = Literal["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL"]

STATUSES: Final[tuple[Status, ...]] = ("PASS", "FAIL", "ERROR")
# Ordered from the highest severity to the lowest: the index is the rank.
SEVERITIES: Final[tuple[Severity, ...]] = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL")

_ANNOTATION_KEYWORDS: Final = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "default", "examples"}
)
_JSON_TYPES: Final[Mapping[str, Callable[[object], bool]]] = {
    "string": lambda value: isinstance(value, str),
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "boolean": lambda value: isinstance(value, bool),
    "null": lambda value: value is None,
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
}


FieldPath = tuple[str | int, ...]


class FindingInvalid(ValueError):
    """A finding that breaks the schema; ``field`` names where (``evidence``, ``controls[1]``)
    and ``path`` holds the same place as keys and indexes."""

    def __init__(self, path: FieldPath | str, reason: str) -> None:
        self.path: FieldPath = (path,) if isinstance(path, str) else path
        self.field = _display(self.path)
        self.reason = reason
        super().__init__(f"finding.{self.field}: {reason}")


def severity_at_least(severity: str, threshold: str) -> bool:
    """True when ``severity`` ranks at or above ``threshold`` (CRITICAL is the highest)."""
    return _severity_rank(severity) <= _severity_rank(threshold)


def _severity_rank(severity: str) -> int:
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        raise ValueError(f"unknown severity {severity!r}; expected one of {SEVERITIES}") from None


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 UTC with a ``Z`` suffix, as ``observed_at`` requires; refuses naive datetimes."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no time zone; pass an aware (UTC) datetime")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def partition_for_region(region: str) -> str:
    """The ARN partition a region belongs to (``aws``, ``aws-cn``, ``aws-us-gov``)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def account_arn(account_id: str, region: str) -> str:
    """The ARN that names an account as a resource (``AWS::::Account`` findings)."""
    return f"arn:{partition_for_region(region)}:iam::{account_id}:root"


def make_finding(
    *,
    scan_id: str,
    scanner: str,
    account_id: str,
    region: str,
    resource_type: str,
    resource_id: str,
    resource_arn: str,
    check_id: str,
    status: Status,
    severity: Severity,
    message: str,
    evidence: Mapping[str, Any],
    controls: Sequence[str],
    observed_at: datetime | str,
    remediation: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Build one finding document (not validated here: the report writer validates on add).

    `remediation` (`{"text": ..., "url": ...}`, the check's fix) is optional in the
    schema, so a finding without one stays valid; when given it is carried as is.
    """
    finding: dict[str, Any] = {
        "scan_id": scan_id,
        "scanner": scanner,
        "account_id": account_id,
        "region": region,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "resource_arn": resource_arn,
        "check_id": check_id,
        "status": status,
        "severity": severity,
        "message": message,
        "evidence": dict(evidence),
        "controls": list(controls),
        "observed_at": (
            format_timestamp(observed_at) if isinstance(observed_at, datetime) else observed_at
        ),
    }
    if remediation is not None:
        finding["remediation"] = dict(remediation)
    return finding


@cache
def load_schema() -> dict[str, Any]:
    """The findings JSON Schema, read once from the file next to this module.

    Read as a package resource, not through ``SCHEMA_PATH``: that works wherever the
    package is imported from, a folder (Lambda's /var/task) or a zip on ``sys.path``.
    """
    resource = importlib.resources.files(__package__ or "estate_runtime") / SCHEMA_PATH.name
    schema: dict[str, Any] = json.loads(resource.read_text(encoding="utf-8"))
    return schema


def validate_finding(document: object) -> None:
    """Raise ``FindingInvalid`` naming the first field that breaks the findings schema."""
    _compiled_schema()(document, ())


_Check = Callable[[object, FieldPath], None]


@cache
def _compiled_schema() -> _Check:
    return compile_schema(load_schema())


def compile_schema(schema: Mapping[str, Any]) -> _Check:
    """Turn a schema of the supported subset into a checker ``(value, path) -> None``."""
    unsupported = set(schema) - _ANNOTATION_KEYWORDS - set(_KEYWORD_COMPILERS)
    if unsupported:
        raise ValueError(f"schema keywords not supported by this validator: {sorted(unsupported)}")
    checks: list[_Check] = []
    # "type" first so the other keywords may assume the value's type.
    for keyword, compiler in _KEYWORD_COMPILERS.items():
        if keyword in schema:
            check = compiler(schema)
            if check is not None:
                checks.append(check)

    def run(value: object, path: FieldPath) -> None:
        for check in checks:
            check(value, path)

    return run


def _compile_type(schema: Mapping[str, Any]) -> _Check:
    declared = schema["type"]
    names: tuple[str, ...] = (declared,) if isinstance(declared, str) else tuple(declared)
    predicates = [_JSON_TYPES[name] for name in names]

    def check(value: object, path: FieldPath) -> None:
        if not any(predicate(value) for predicate in predicates):
            raise FindingInvalid(path, f"expected {' or '.join(names)}, got {_json_type(value)}")

    return check


def _compile_enum(schema: Mapping[str, Any]) -> _Check:
    allowed = list(schema["enum"])

    def check(value: object, path: FieldPath) -> None:
        # JSON equality: True is not 1, so compare types as well as values.
        if not any(type(value) is type(option) and value == option for option in allowed):
            raise FindingInvalid(path, f"{value!r} is not one of {allowed}")

    return check


def _compile_pattern(schema: Mapping[str, Any]) -> _Check:
    source = schema["pattern"]
    regex = re.compile(ecma_anchors(source))

    def check(value: object, path: FieldPath) -> None:
        if isinstance(value, str) and regex.search(value) is None:
            raise FindingInvalid(path, f"{value!r} does not match {source!r}")

    return check


def _compile_min_length(schema: Mapping[str, Any]) -> _Check:
    minimum = int(schema["minLength"])

    def check(value: object, path: FieldPath) -> None:
        if isinstance(value, str) and len(value) < minimum:
            raise FindingInvalid(path, f"shorter than {minimum} characters")

    return check


def _compile_max_length(schema: Mapping[str, Any]) -> _Check:
    maximum = int(schema["maxLength"])

    def check(value: object, path: FieldPath) -> None:
        if isinstance(value, str) and len(value) > maximum:
            raise FindingInvalid(path, f"longer than {maximum} characters")

    return check


def _compile_required(schema: Mapping[str, Any]) -> _Check:
    required = tuple(schema["required"])

    def check(value: object, path: FieldPath) -> None:
        if isinstance(value, dict):
            for name in required:
                if name not in value:
                    raise FindingInvalid((*path, name), "required field is missing")

    return check


def _compile_properties(schema: Mapping[str, Any]) -> _Check:
    checkers = {name: compile_schema(sub) for name, sub in schema["properties"].items()}

    def check(value: object, path: FieldPath) -> None:
        if isinstance(value, dict):
            for name, checker in checkers.items():
                if name in value:
                    checker(value[name], (*path, name))

    return check


def _compile_additional_properties(schema: Mapping[str, Any]) -> _Check | None:
    additional = schema["additionalProperties"]
    if additional is True:
        return None
    known = frozenset(schema.get("properties", {}))
    extra_checker = compile_schema(additional) if isinstance(additional, dict) else None

    def check(value: object, path: FieldPath) -> None:
        if not isinstance(value, dict):
            return
        for name in value:
            if name in known:
                continue
            if extra_checker is None:
                raise FindingInvalid((*path, str(name)), "field is not allowed")
            extra_checker(value[name], (*path, str(name)))

    return check


def _compile_items(schema: Mapping[str, Any]) -> _Check:
    item_checker = compile_schema(schema["items"])

    def check(value: object, path: FieldPath) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                item_checker(item, (*path, index))

    return check


_KEYWORD_COMPILERS: Final[Mapping[str, Callable[[Mapping[str, Any]], _Check | None]]] = {
    "type": _compile_type,
    "enum": _compile_enum,
    "required": _compile_required,
    "properties": _compile_properties,
    "additionalProperties": _compile_additional_properties,
    "pattern": _compile_pattern,
    "minLength": _compile_min_length,
    "maxLength": _compile_max_length,
    "items": _compile_items,
}


def ecma_anchors(pattern: str) -> str:
    r"""Rewrite each unescaped ``$`` outside a character class as ``\Z`` (ECMA-262 meaning)."""
    out: list[str] = []
    in_class = False
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            out.append(pattern[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # A "]" right after "[" or "[^" is a literal member of the class.
            lookahead = index + 1
            if pattern.startswith("^", lookahead):
                lookahead += 1
            if pattern.startswith("]", lookahead):
                out.append(pattern[index : lookahead + 1])
                index = lookahead + 1
                continue
        elif char == "$":
            out.append(r"\Z")
            index += 1
            continue
        out.append(char)
        index += 1
    return "".join(out)


def _display(path: FieldPath) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text or "(root)"


def _json_type(value: object) -> str:
    for name, predicate in _JSON_TYPES.items():
        if name != "number" and predicate(value):
            return name
    return "number" if _JSON_TYPES["number"](value) else type(value).__name__
