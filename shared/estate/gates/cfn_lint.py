"""cfn-lint over the plan: every pulumi-aws-native resource becomes a CloudFormation resource.

pulumi-aws-native is generated from CloudFormation's registry schemas, so a resource's
inputs are its CloudFormation properties in camelCase. The template keeps the values as
recorded and restores each property's CloudFormation spelling from the resource's own
schema (cfn-lint's bundled copy, offline); free-form objects such as policy documents
keep their keys. cfn-lint then finds, before any deploy, what CloudFormation would reject:
unknown properties, wrong types, values outside an enum, missing required properties.

    python -m estate.gates.cfn_lint [--project P] [--account A]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from estate.plan.runner import StackRun

NATIVE_PREFIX = "aws-native:"


def cfn_type(type_token: str, known: Mapping[str, str]) -> str | None:
    """`aws-native:s3:Bucket` -> `AWS::S3::Bucket` (by CloudFormation's own list of types)."""
    if not type_token.startswith(NATIVE_PREFIX):
        return None
    _, module, resource = type_token.split(":")
    return known.get(f"aws::{module}::{resource}".lower())


def _resolve(node: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    reference = node.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/definitions/"):
        return _resolve(schema["definitions"][reference.removeprefix("#/definitions/")], schema)
    return node


def to_cfn(value: Any, node: Mapping[str, Any], schema: Mapping[str, Any]) -> Any:
    """`value` with the property names the schema declares (camelCase -> CloudFormation)."""
    node = _resolve(node, schema)
    if isinstance(value, dict):
        properties: Mapping[str, Any] = node.get("properties") or {}
        if not properties:
            return value  # free-form JSON (a policy document): as written
        spelling = {name.lower(): name for name in properties}
        converted: dict[str, Any] = {}
        for key, item in value.items():
            name = spelling.get(key.lower(), key[:1].upper() + key[1:])
            converted[name] = to_cfn(item, properties.get(name, {}), schema)
        return converted
    if isinstance(value, list):
        return [to_cfn(item, node.get("items") or {}, schema) for item in value]
    return value


def stack_template(run: StackRun, region: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The CloudFormation template of `run`'s aws-native resources, and logical id -> name."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER  # type: ignore[import-untyped]  # noqa: PLC0415

    known = {t.lower(): t for t in PROVIDER_SCHEMA_MANAGER.get_resource_types(region)}
    resources: dict[str, Any] = {}
    names: dict[str, str] = {}
    for index, resource in enumerate(run.resources):
        if not resource.custom:
            continue
        type_name = cfn_type(resource.type, known)
        if type_name is None:
            continue
        schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema(region, type_name).schema
        logical = f"R{index}{re.sub(r'[^A-Za-z0-9]', '', resource.name)}"[:255]
        properties = to_cfn(dict(resource.inputs), schema, schema)
        resources[logical] = {"Type": type_name, "Properties": properties}
        names[logical] = f"{resource.type} {resource.name}"
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}, names


def lint_stack(run: StackRun, region: str) -> list[str]:
    """cfn-lint's errors for `run`'s aws-native resources, naming stack, resource and rule."""
    from cfnlint.api import lint  # type: ignore[import-untyped]  # noqa: PLC0415

    template, names = stack_template(run, region)
    if not template["Resources"]:
        return []
    problems: list[str] = []
    for match in lint(json.dumps(template), regions=[region]):
        rule = match.rule.id
        if not rule.startswith("E"):
            continue  # warnings and information never fail the gate
        path = [str(p) for p in getattr(match, "path", [])]
        logical = path[1] if len(path) > 1 and path[0] == "Resources" else ""
        where = names.get(logical, logical or "template")
        problems.append(f"{run.project}/{run.stack}: {where}: {rule} {match.message}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Plan every selected stack under mocks and lint its aws-native resources."""
    from estate.accounts import load_estate  # noqa: PLC0415
    from estate.plan.runner import ProgramError, run_plan  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m estate.gates.cfn_lint")
    parser.add_argument("--project", action="append", default=None)
    parser.add_argument("--account", action="append", default=None)
    arguments = parser.parse_args(argv)
    estate = load_estate()
    problems: list[str] = []
    native = 0
    try:
        for run in run_plan(estate, accounts=arguments.account, projects=arguments.project):
            native += sum(r.type.startswith(NATIVE_PREFIX) and r.custom for r in run.resources)
            problems.extend(lint_stack(run, estate.account(run.stack).primary_region))
    except ProgramError as error:
        print(f"cfn-lint gate: plan failed: {error}", file=sys.stderr)
        return 1
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"cfn-lint gate: {len(problems)} error(s)", file=sys.stderr)
        return 1
    print(f"cfn-lint gate: {native} aws-native resource(s) valid against CloudFormation's schemas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
