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
    ("pulumiservice:index:DeploymentSettings", "github.pullRequestTemplate"): (
        "review stacks for pull requests are created from the dev stacks only"
    ),
    # org-iam's CI policies expand each ARN pattern over the regions the account lists, so
    # an account with more regions has longer documents, split into more managed policies.
    ("aws:iam/policy:Policy", "policy"): "ARN patterns expand over the account's regions",
    ("aws:iam/policy:Policy", "description"): "the split count (i/n) follows the regions",
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
    ("org-iam", "deploy-policy"): "more listed regions split the deploy policy further",
    ("org-iam", "deploy-attachment"): "one attachment per split deploy policy",
    ("org-iam", "preview-policy"): "more listed regions split the preview policy further",
    ("org-iam", "preview-attachment"): "one attachment per split preview policy",
}


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
    patterns = [(re.compile(rf"(?<![\w.@]){re.escape(text)}(?![\w@])"), p) for text, p in ordered]
    # Glue names join their parts with "_" (estate.naming), so the account is no whole word
    # there: match the names' account prefix, ``estate_<account>_``, instead.
    glue = sorted(
        (
            (account_prefix(other.name).replace("-", "_"), other.name == account.name)
            for other in estate
        ),
        key=lambda pair: -len(pair[0]),
    )
    patterns += [
        (
            re.compile(rf"(?<![\w.@]){re.escape(prefix)}"),
            "estate_<account>_" if own else "estate_<other_account>_",
        )
        for prefix, own in glue
    ]
    return patterns


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
    """(type, normalised name) -> the normalised, flattened inputs of each such resource."""
    account = estate.account(run.stack)
    view: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for resource in run.resources:
        key = (resource.type, str(normalise(resource.name, account, estate)))
        inputs = normalise(dict(resource.inputs), account, estate)
        view.setdefault(key, []).append(_flatten(inputs))
    return view


def parity_problems(runs: Iterable[StackRun], estate: Estate) -> list[str]:
    """Every difference between accounts that the account files do not explain."""
    by_project: dict[str, dict[str, StackRun]] = {}
    for run in runs:
        by_project.setdefault(run.project, {})[run.stack] = run
    problems: list[str] = []
    for project, stacks in by_project.items():
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
                    f"{project}: {type_} {name} field {field}: {reference_stack} has "
                    f"{first.get(field)!r}, {stack} has {other.get(field)!r}"
                )
    return problems


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
