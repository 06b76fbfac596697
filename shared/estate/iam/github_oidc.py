"""Trust for GitHub Actions through OIDC: one repository, and only the jobs named.

GitHub presents ``sub`` as ``repo:<owner>/<name>:pull_request`` for a pull request,
``repo:<owner>/<name>:environment:<env>`` for a job bound to an environment and
``repo:<owner>/<name>:ref:refs/heads/<branch>`` for a branch job without one (the
default template). Under the custom template ``repo, context, job_workflow_ref``
(``WorkflowJobs``) the workflow file and its ref are appended. The trust matches ``aud`` and ``sub`` with ``StringEquals`` only: ``sub``
is single-valued, so a list of subjects already means "any of these", and neither
``ForAnyValue`` nor ``StringLike`` is needed — or allowed. Names are spelled exactly
as GitHub presents them: ``StringEquals`` is case-sensitive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from estate.iam.errors import PolicyError
from estate.iam.trust import TrustStatement, trust_policy_document, web_identity_trust_statement

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"

_NAME = r"[A-Za-z0-9_.-]+"
_REPOSITORY = re.compile(rf"^{_NAME}/{_NAME}$")
_ENVIRONMENT = re.compile(rf"^{_NAME}$")
_BRANCH = re.compile(rf"^{_NAME}(/{_NAME})*$")
_MAX_NAME_CHARS = 255


@dataclass(frozen=True)
class PullRequests:
    """Jobs run for a pull request (``repo:<owner>/<name>:pull_request``)."""

    def claim(self, repository: str) -> str:
        """The ``sub`` GitHub presents for these jobs of ``repository``."""
        return f"repo:{repository}:pull_request"


@dataclass(frozen=True)
class Environment:
    """Jobs bound to one GitHub environment, e.g. ``prod`` with its required reviewers."""

    name: str

    def __post_init__(self) -> None:
        _check_name("environment", self.name, _ENVIRONMENT)

    def claim(self, repository: str) -> str:
        """The ``sub`` GitHub presents for these jobs of ``repository``."""
        return f"repo:{repository}:environment:{self.name}"


@dataclass(frozen=True)
class Branch:
    """Jobs on one branch that are bound to no environment."""

    name: str

    def __post_init__(self) -> None:
        _check_name("branch", self.name, _BRANCH)

    def claim(self, repository: str) -> str:
        """The ``sub`` GitHub presents for these jobs of ``repository``."""
        return f"repo:{repository}:ref:refs/heads/{self.name}"


_WORKFLOW_PATH = re.compile(r"^\.github/workflows/[A-Za-z0-9_.-]+\.ya?ml$")
_BRANCH_REF = re.compile(rf"^refs/heads/{_NAME}(/{_NAME})*$")


@dataclass(frozen=True)
class WorkflowJobs:
    """Jobs of ``context`` run by one workflow file at one branch, under the repository's
    custom subject template ``repo, context, job_workflow_ref``.

    GitHub then presents ``repo:<o>/<r>:<context>:job_workflow_ref:<o>/<r>/<path>@<ref>``,
    e.g. ``repo:acme/estate:environment:prod:job_workflow_ref:acme/estate/.github/workflows/
    deploy.yml@refs/heads/main``. For a reusable workflow ``job_workflow_ref`` names the
    called file at the ref it was called at, so ``uses: <o>/<r>/.github/workflows/x.yml@main``
    gives the same subject from every pull request (see estate.delivery).
    """

    context: PullRequests | Environment | Branch
    workflow_path: str
    ref: str

    def __post_init__(self) -> None:
        if not isinstance(self.context, (PullRequests, Environment, Branch)):
            raise PolicyError(
                f"workflow subject context {self.context!r} is none of PullRequests(), "
                "Environment(name), Branch(name); use one of them"
            )
        if not isinstance(self.workflow_path, str) or not _WORKFLOW_PATH.fullmatch(
            self.workflow_path
        ):
            raise PolicyError(
                f"workflow path {self.workflow_path!r} is not .github/workflows/<file>.yml; "
                "give the workflow file's path in the repository"
            )
        if not isinstance(self.ref, str) or not _BRANCH_REF.fullmatch(self.ref) or ".." in self.ref:
            raise PolicyError(
                f"workflow ref {self.ref!r} is not refs/heads/<branch>; give the exact branch ref"
            )

    def claim(self, repository: str) -> str:
        """The ``sub`` GitHub presents for these jobs of ``repository``."""
        return (
            f"{self.context.claim(repository)}:job_workflow_ref:"
            f"{repository}/{self.workflow_path}@{self.ref}"
        )


GitHubSubject = PullRequests | Environment | Branch | WorkflowJobs
_SUBJECT_TYPES = (PullRequests, Environment, Branch, WorkflowJobs)


def github_subject_claims(repository: str, subjects: Sequence[GitHubSubject]) -> tuple[str, ...]:
    """The exact ``sub`` values of ``subjects`` in ``repository`` ("owner/name"), sorted."""
    _check_name("repository", repository, _REPOSITORY)
    if isinstance(subjects, (str, *_SUBJECT_TYPES)) or not subjects:
        raise PolicyError(
            f"GitHub trust for {repository}: subjects {subjects!r}; give a non-empty "
            "sequence such as [Environment('prod')]"
        )
    for subject in subjects:
        if not isinstance(subject, _SUBJECT_TYPES):
            raise PolicyError(
                f"GitHub trust for {repository}: subject {subject!r} is none of "
                "PullRequests(), Environment(name), Branch(name), WorkflowJobs(...); "
                "use one of them"
            )
    return tuple(sorted({subject.claim(repository) for subject in subjects}))


def github_oidc_trust_statement(
    *, provider_arn: pulumi.Input[str], repository: str, subjects: Sequence[GitHubSubject]
) -> TrustStatement:
    """The trust statement admitting exactly ``subjects`` of ``repository`` through the provider."""
    return web_identity_trust_statement(
        sid="TrustGitHubActions",
        provider_arn=provider_arn,
        issuer_host=GITHUB_OIDC_HOST,
        audience=STS_AUDIENCE,
        subjects=github_subject_claims(repository, subjects),
    )


def github_oidc_trust(
    *, provider_arn: pulumi.Input[str], repository: str, subjects: Sequence[GitHubSubject]
) -> pulumi.Output[str]:
    """Trust policy for GitHub Actions jobs: deploy roles trust ``[Environment(account)]``,
    the preview role ``[PullRequests()]``."""
    return trust_policy_document(
        github_oidc_trust_statement(
            provider_arn=provider_arn, repository=repository, subjects=subjects
        )
    )


def _check_name(what: str, name: str, pattern: re.Pattern[str]) -> None:
    if (
        not isinstance(name, str)
        or len(name) > _MAX_NAME_CHARS
        or not pattern.fullmatch(name)
        or any(part.strip(".") == "" for part in name.split("/"))
        or ".." in name
    ):
        raise PolicyError(
            f"GitHub {what} {name!r} is not plain letters, digits and _.- "
            f"({'owner/name' if what == 'repository' else 'no wildcard, no colon'}); "
            "spell it exactly as GitHub shows it"
        )
