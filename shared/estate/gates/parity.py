"""The environment-parity gate: the stacks of one project differ between accounts only in
what the account files declare (ids, names, stages, regions, sizes, schedules, e-mails,
required tags) — never in code paths taken by accident.

Each stack's resources are normalised: every value an account file declares is replaced
by a placeholder (the account's name, id and stage, its regions and their short forms,
its scan schedule and time zone, its alert e-mails and required-tag rules; sizes where a
whole value equals them), and the 8-hex digests of physical names, which hash those
values, become ``<digest>``. After that, every account must show the same resources with
the same inputs. The few intended differences by stage are listed in ``ALLOWED_FIELDS``
with their reason; anything else fails, naming the resource and the field.

Policies split over several managed policies (``<role>-policy-<i>``, attached by
``<role>-attachment-<i>``: estate.iam's splitter) split differently where an account lists
more regions. They are compared as one group: the union of their statements, merged into
(effect, action, resource, conditions) grants once normalised, so regions and account ids
the files declare collapse and Sids and split points do not matter; the group's other
inputs are compared without the part number. Any other grant differing fails, naming it;
each stack must attach every part of a group exactly once.

    python -m estate.gates.parity [--project P]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pulumi

from estate.accounts import Account, Estate
from estate.naming import account_prefix, region_short
from estate.plan.runner import StackRun

DIGEST = re.compile(r"(?<![0-9a-f])[0-9a-f]{8}(?![0-9a-f])")
# Identifiers the cloud assigns (mocked from each resource's inputs, so they differ per
# account without any code path differing): key ids, API Gateway ids (10 characters, as a
# whole value or inside an execute-api ARN).
ASSIGNED_WHOLE = re.compile(r"(?=[a-z]*[0-9])[a-z0-9]{10}")
ASSIGNED = (
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"(?<=:execute-api:<region>:<account_id>:)[a-z0-9]{10}\b"), "<api_id>"),
)
# (resource type, field path) allowed to differ with a declared value, and why.
ALLOWED_FIELDS: Mapping[tuple[str, str], str] = {
    ("github:index/repositoryEnvironment:RepositoryEnvironment", "reviewers"): (
        "only reviewed stages (prod) have required reviewers"
    ),
    ("github:index/repositoryEnvironment:RepositoryEnvironment", "preventSelfReview"): (
        "self-review can only be prevented where there are reviewers"
    ),
}
# (project, normalised resource-name prefix) present in some accounts only, and why: a
# switch or size in the account files, or the repository-wide stack.
ALLOWED_PRESENCE: Mapping[tuple[str, str], str] = {
    ("core", "api-provisioned-concurrency"): (
        "created only where sizes.api_provisioned_concurrency is above 0"
    ),
    ("core", "security-hub"): "created only where security_hub.enabled is true",
    ("observability", "alarms-api-provisioned-spillover"): (
        "spillover is watched only where sizes.api_provisioned_concurrency is above 0"
    ),
    ("estate-deployments", "repository"): (
        "repository-wide settings live in the last stack of the promotion"
    ),
}
# A part of a split policy, or its attachment (estate.programs.org_iam.ci_role's names).
SPLIT_PART = re.compile(r"^(?P<group>.+-(?P<kind>policy|attachment))-(?P<index>[0-9]+)$")
# The part number inside a part's physical name and description, e.g. "-deploy-2-<digest>",
# "(3/5)": how many parts there are follows the regions.
PART_NUMBERS = (
    (re.compile(r"-[0-9]+-<digest>"), "-<part>-<digest>"),
    (re.compile(r"\([0-9]+/[0-9]+\)"), "(<part>)"),
)
POLICY_FIELD = "policy"


# Inputs that carry an account's size (accounts/<a>.yaml `sizes`), by field name.
SIZE_FIELDS: Mapping[str, str] = {
    "retentionInDays": "log_retention_days",
    "provisionedConcurrentExecutions": "api_provisioned_concurrency",
}


def _declared(account: Account, *, own: bool) -> list[tuple[str, str]]:
    """(text an account file declares, its placeholder); another account's values get
    placeholders of their own kind, so a map of every account reads the same everywhere."""
    tag = "" if own else "other_"
    return [
        (account.account_id, f"<{tag}account_id>"),
        (account.name, f"<{tag}account>"),
        (account.stage.value, f"<{tag}stage>"),
        (account.scan.schedule, "<schedule>"),
        (account.scan.timezone, "<timezone>"),
        *((email, "<email>") for email in account.alerts.emails),
        *((region, "<region>") for region in account.regions),
        *((region_short(region), "<region>") for region in account.regions),
        *([(account.assume_role_arn, "<assume_role_arn>")] if account.assume_role_arn else []),
    ]


def _replacements(account: Account, estate: Estate) -> list[tuple[re.Pattern[str], str]]:
    """Whole-word patterns, longest text first; where two declared values are the same text
    (account `dev` of stage `dev`), the first (the stack's own account) wins."""
    pairs = _declared(account, own=True)
    for other in estate:
        if other.name != account.name:
            pairs.extend(_declared(other, own=False))
    chosen: dict[str, str] = {}
    for text, placeholder in pairs:
        chosen.setdefault(text, placeholder)
    ordered = sorted(chosen.items(), key=lambda pair: -len(pair[0]))
    # Glue names spell the account prefix with underscores (estate_dev_...), where the
    # account's name has word characters on both sides: matched as the whole prefix.
    glue = [
        (
            re.compile(rf"(?<![\w.@]){re.escape(account_prefix(a.name).replace('-', '_'))}"),
            f"estate_<{'' if a.name == account.name else 'other_'}account>_",
        )
        for a in estate
    ]
    return glue + [
        (re.compile(rf"(?<![\w.@]){re.escape(text)}(?![\w@])"), p) for text, p in ordered
    ]


def normalise(value: Any, account: Account, estate: Estate) -> Any:
    """`value` with every account-declared value replaced by its placeholder."""
    subtrees: list[tuple[Any, str]] = [
        (account.tag_rules_payload(), "<required_tags>"),
        (list(account.alerts.emails), "<emails>"),
        (list(account.regions), "<regions>"),
    ]
    sizes = {field: getattr(account.sizes, size) for field, size in SIZE_FIELDS.items()}
    replacements = _replacements(account, estate)

    def text(item: str) -> Any:
        if ASSIGNED_WHOLE.fullmatch(item):
            return "<assigned_id>"
        if item[:1] in "[{":
            try:
                return json.dumps(walk(json.loads(item)), sort_keys=True)
            except ValueError:
                pass
        for pattern, replacement in ASSIGNED[:1]:
            item = pattern.sub(replacement, item)
        for declared, placeholder in replacements:
            item = declared.sub(placeholder, item)
        for pattern, replacement in ASSIGNED[1:]:
            item = pattern.sub(replacement, item)
        return DIGEST.sub("<digest>", item)

    def walk(item: Any) -> Any:
        placeholder = next(
            (p for tree, p in subtrees if isinstance(item, list) and item == tree), None
        )
        if placeholder is not None:
            return placeholder
        if isinstance(item, dict):
            return {
                walk(key): f"<{SIZE_FIELDS[key]}>"
                if key in sizes and inner == sizes[key]
                else walk(inner)
                for key, inner in item.items()
            }
        if isinstance(item, list):
            # One element per declared e-mail or region reads the same once normalised.
            unique: list[Any] = []
            for inner in map(walk, item):
                if inner not in unique:
                    unique.append(inner)
            return unique
        if isinstance(item, (pulumi.Asset, pulumi.Archive)):
            return _asset(item)
        return text(item) if isinstance(item, str) else item

    return walk(value)


def _asset(item: pulumi.Asset | pulumi.Archive) -> Any:
    """Code as what it contains: the same files give the same value in every account."""
    if isinstance(item, pulumi.AssetArchive):
        return {name: _asset(inner) for name, inner in sorted(item.assets.items())}
    for attribute in ("path", "text", "uri"):
        if hasattr(item, attribute):
            return f"<{type(item).__name__} {getattr(item, attribute)}>"
    return f"<{type(item).__name__}>"


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, inner in value.items():
            flat.update(_flatten(inner, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def _stack_view(run: StackRun, estate: Estate) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(type, normalised name) -> the normalised, flattened inputs of each such resource;
    the parts of a split policy (or their attachments) as one ``<group>-*`` entry."""
    account = estate.account(run.stack)
    view: dict[tuple[str, str], list[dict[str, Any]]] = {}
    parts: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for resource in run.resources:
        name = str(normalise(resource.name, account, estate))
        flat = _flatten(normalise(dict(resource.inputs), account, estate))
        split = SPLIT_PART.fullmatch(name)
        if split is not None:
            parts.setdefault((resource.type, f"{split['group']}-*"), []).append(flat)
        else:
            view.setdefault((resource.type, name), []).append(flat)
    for key, members in parts.items():
        view[key] = [_merged_parts(members)]
    return view


def _merged_parts(members: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One split group's inputs: its policies' grants merged, other fields without part numbers."""
    merged: dict[str, set[str]] = {}
    for member in members:
        for field, value in member.items():
            if field == POLICY_FIELD and isinstance(value, str):
                merged.setdefault(field, set()).update(grants(json.loads(value)))
                continue
            text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
            for pattern, replacement in PART_NUMBERS:
                text = pattern.sub(replacement, text)
            merged.setdefault(field, set()).add(text)
    return {field: sorted(values) for field, values in merged.items()}


def grants(document: Mapping[str, Any]) -> set[str]:
    """A policy document as the grants it makes: one ``effect action resource conditions``
    line per action and resource, whatever statement (Sid, split part) holds them."""
    statements = document.get("Statement", [])
    found: set[str] = set()
    for statement in statements if isinstance(statements, list) else [statements]:
        conditions = {
            operator: {key: sorted(_listed(values)) for key, values in tests.items()}
            for operator, tests in statement.get("Condition", {}).items()
        }
        condition_text = json.dumps(conditions, sort_keys=True) if conditions else ""
        for action in _listed(statement.get("Action", [])):
            for resource in _listed(statement.get("Resource", [])):
                found.add(f"{statement['Effect']} {action} {resource} {condition_text}".strip())
    return found


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _split_problems(project: str, stack: str, run: StackRun) -> list[str]:
    """Every part of a split policy attached exactly once: as many attachments as parts."""
    counts: dict[tuple[str, str], int] = {}
    for resource in run.resources:
        split = SPLIT_PART.fullmatch(resource.name)
        if split is not None:
            role = split["group"].removesuffix(f"-{split['kind']}")
            counts[(role, split["kind"])] = counts.get((role, split["kind"]), 0) + 1
    return [
        f"{project}/{stack}: {role}: {counts.get((role, 'attachment'), 0)} attachment(s) "
        f"for {number} split policy part(s)"
        for (role, kind), number in sorted(counts.items())
        if kind == "policy" and counts.get((role, "attachment"), 0) != number
    ]


def parity_problems(runs: Iterable[StackRun], estate: Estate) -> list[str]:
    """Every difference between accounts that the account files do not explain."""
    by_project: dict[str, dict[str, StackRun]] = {}
    for run in runs:
        by_project.setdefault(run.project, {})[run.stack] = run
    problems: list[str] = []
    for project, stacks in by_project.items():
        for stack, run in stacks.items():
            problems.extend(_split_problems(project, stack, run))
        views = {name: _stack_view(run, estate) for name, run in stacks.items()}
        keys = set().union(*views.values())
        for type_, name in sorted(keys):
            present = [stack for stack, view in views.items() if (type_, name) in view]
            if len(present) != len(views):
                if not any(
                    p == project and name.startswith(prefix) for p, prefix in ALLOWED_PRESENCE
                ):
                    missing = sorted(set(views) - set(present))
                    problems.append(
                        f"{project}: {type_} {name} exists in {present} but not in {missing}"
                    )
                continue
            problems.extend(
                _field_problems(project, type_, name, {s: views[s][(type_, name)] for s in present})
            )
    return problems


def _field_problems(
    project: str, type_: str, name: str, variants: Mapping[str, list[dict[str, Any]]]
) -> list[str]:
    problems: list[str] = []
    reference_stack, reference = next(iter(variants.items()))
    for stack, instances in variants.items():
        for first, other in zip(reference, instances, strict=False):
            for field in sorted(set(first) | set(other)):
                if first.get(field) == other.get(field):
                    continue
                if any(
                    field == path or field.startswith(f"{path}.")
                    for (t, path) in ALLOWED_FIELDS
                    if t == type_
                ):
                    continue
                problems.append(
                    f"{project}: {type_} {name} field {field}: "
                    + _difference(reference_stack, first.get(field), stack, other.get(field))
                )
    return problems


def _difference(one: str, first: Any, other: str, second: Any) -> str:
    """What differs: for a split group's merged lists, only the lines each side lacks."""
    if isinstance(first, list) and isinstance(second, list):
        only_first = sorted(set(first) - set(second))
        only_second = sorted(set(second) - set(first))
        return f"only {one} has {only_first!r}, only {other} has {only_second!r}"
    return f"{one} has {first!r}, {other} has {second!r}"


def main(argv: Sequence[str] | None = None) -> int:
    """Plan every stack under mocks and compare each project's stacks across accounts."""
    from estate.accounts import load_estate  # noqa: PLC0415
    from estate.plan.runner import ProgramError, run_plan  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m estate.gates.parity")
    parser.add_argument("--project", action="append", default=None)
    arguments = parser.parse_args(argv)
    estate = load_estate()
    try:
        runs = list(run_plan(estate, projects=arguments.project))
    except ProgramError as error:
        print(f"parity gate: plan failed: {error}", file=sys.stderr)
        return 1
    problems = parity_problems(runs, estate)
    for problem in problems:
        print(f"parity gate: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"parity gate: {len(runs)} stack(s) differ only in what accounts/ declares")
    return 0


if __name__ == "__main__":
    sys.exit(main())
