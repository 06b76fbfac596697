"""Hypothesis strategies: real IAM actions from the catalogue, with ARNs of their resource types.

ARNs are built from the catalogue's ARN formats here, in tests only: programs take
ARNs from resources' ``.arn`` Outputs. (The module has a unique name because test
folders share one import namespace.)
"""

from __future__ import annotations

import json
import re
from collections import defaultdict

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from estate.iam import (
    RESOURCE_STAR_ACTIONS,
    Branch,
    Condition,
    ConditionOperator,
    Environment,
    ResourceType,
    Statement,
    action_catalogue,
)
from estate.iam.catalogue import definition_path

ACCOUNT_ID = "111111111111"
REGION = "eu-west-1"

# Modest and unhurried: the whole module runs in seconds; no database in the repo tree.
PROPERTY = settings(
    max_examples=60,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)

# The services the platform's components call (scanners, pipeline, alerts).
PLATFORM_SERVICES = frozenset(
    {
        *("s3", "ec2", "dynamodb", "sqs", "sns", "lambda", "logs", "kms", "states"),
        *("scheduler", "events", "glue", "athena", "cloudwatch", "xray", "iam", "sts"),
        *("ssm", "tag", "execute-api", "apigateway"),
    }
)

# Left out of generated policies, each for a reason parliament is right about or wrong about:
# - granting these on a bucket without the matching object actions is a real escalation
#   path that parliament reports (test_iam_lint proves it does);
ESCALATION_PRONE = frozenset(
    {"s3:PutBucketPolicy", "s3:PutBucketAcl", "s3:PutLifecycleConfiguration"}
)


def _documented_twice_differently() -> frozenset[str]:
    """Actions two services of one prefix document with different resource types.

    parliament reads only the first entry, our catalogue the union of both, so for
    these the two legitimately disagree (e.g. iam:ListInstanceProfiles).
    """
    seen: dict[str, list[list[str]]] = defaultdict(list)
    with definition_path().open(encoding="utf-8") as definition:
        for service in json.load(definition):
            for privilege in service["privileges"]:
                kinds = sorted(entry["resource_type"] for entry in privilege["resource_types"])
                seen[f"{service['prefix']}:{privilege['privilege']}"].append(kinds)
    return frozenset(
        action for action, entries in seen.items() if len(set(map(tuple, entries))) > 1
    )


def _resource_level_actions() -> tuple[str, ...]:
    catalogue = action_catalogue()
    excluded = ESCALATION_PRONE | _documented_twice_differently()
    return tuple(
        action
        for action in catalogue.actions()
        if action.split(":")[0] in PLATFORM_SERVICES
        and action not in excluded
        and (info := catalogue.info(action)) is not None
        and info.supports_resource_level_permissions
    )


RESOURCE_LEVEL_ACTIONS = _resource_level_actions()
STAR_ACTIONS = tuple(sorted(RESOURCE_STAR_ACTIONS))

names = st.from_regex(r"[a-z][a-z0-9-]{0,15}[a-z0-9]", fullmatch=True)
sids = st.from_regex(r"[A-Z][A-Za-z0-9]{0,11}", fullmatch=True)


def arn_for(resource_type: ResourceType, name: str) -> str:
    """An ARN of ``resource_type`` with every variable part filled: account, region, ``name``."""

    def fill(variable: re.Match[str]) -> str:
        part = variable.group(1)
        if part == "Partition":
            return "aws"
        if part == "Region":
            return REGION
        return ACCOUNT_ID if "Account" in part else name

    return re.sub(r"\$\{(\w+)\}", fill, resource_type.arn_format)


@st.composite
def resource_level_statement(draw: st.DrawFn, sid: str) -> Statement:
    """Real actions that support resource-level permissions, with one ARN per required type."""
    actions = draw(st.lists(st.sampled_from(RESOURCE_LEVEL_ACTIONS), min_size=1, max_size=4))
    catalogue = action_catalogue()
    resources: list[str] = []
    for action in actions:
        info = catalogue.info(action)
        assert info is not None
        required = [kind for kind in info.resource_types if kind.required]
        for kind in required or [draw(st.sampled_from(info.resource_types))]:
            resources.append(arn_for(kind, draw(names)))
    conditions = draw(st.lists(conditions_on_global_keys, max_size=2, unique_by=lambda c: c.key))
    return Statement(sid, tuple(actions), tuple(resources), conditions=tuple(conditions))


@st.composite
def resource_star_statement(draw: st.DrawFn, sid: str) -> Statement:
    """Actions of the allow-list, on ``Resource: "*"``."""
    actions = draw(st.lists(st.sampled_from(STAR_ACTIONS), min_size=1, max_size=4))
    return Statement(sid, tuple(actions), ("*",))


conditions_on_global_keys = st.one_of(
    st.builds(
        Condition,
        st.just(ConditionOperator.STRING_EQUALS),
        st.just("aws:ResourceAccount"),
        st.just((ACCOUNT_ID,)),
    ),
    st.builds(
        Condition,
        st.just(ConditionOperator.STRING_EQUALS),
        st.just("aws:RequestedRegion"),
        st.lists(st.sampled_from(["eu-west-1", "eu-central-1", "us-east-1"]), min_size=1).map(
            tuple
        ),
    ),
)


@st.composite
def statement_sets(
    draw: st.DrawFn, min_statements: int = 1, max_statements: int = 6
) -> list[Statement]:
    """Statements with distinct sids, each either resource-level or on the allow-list's ``*``."""
    chosen = draw(st.lists(sids, min_size=min_statements, max_size=max_statements, unique=True))
    return [
        draw(st.one_of(resource_level_statement(sid), resource_star_statement(sid)))
        for sid in chosen
    ]


# GitHub names: what the OIDC generator accepts (no name made of dots only).
github_names = st.from_regex(r"[A-Za-z0-9_.-]{1,20}", fullmatch=True).filter(
    lambda name: name.strip(".") != "" and ".." not in name
)
repositories = st.builds(lambda owner, name: f"{owner}/{name}", github_names, github_names)
environments = st.builds(Environment, github_names)
branches = st.builds(Branch, st.lists(github_names, min_size=1, max_size=3).map("/".join))

# A valid repository with one character that must never reach a trust policy.
_FORBIDDEN_IN_REPOSITORIES = "*?:/ \t\n\"'[]{}$,;#%\\"


@st.composite
def invalid_repositories(draw: st.DrawFn) -> str:
    """A repository string that is not exactly ``owner/name``: a wildcard, colon, space, …"""
    repository = draw(repositories)
    position = draw(st.integers(min_value=0, max_value=len(repository)))
    bad = draw(st.sampled_from(_FORBIDDEN_IN_REPOSITORIES))
    return repository[:position] + bad + repository[position:]
