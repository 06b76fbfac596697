"""How the estate is delivered from GitHub: workflow files, OIDC subjects, environments.

One definition, read by every side that must agree: org-iam's trust policies (which
GitHub jobs may assume the preview and deploy roles), the repository's OIDC
subject-claim template and environments (pulumi-github, estate-deployments), and the
workflows themselves.

The repository uses the custom subject template ``SUBJECT_CLAIM_KEYS`` =
``repo, context, job_workflow_ref``. GitHub then presents

- for the deploy job of account ``A`` (``environment: A`` in ``DEPLOY_WORKFLOW`` on ``main``):
  ``repo:O/R:environment:A:job_workflow_ref:O/R/.github/workflows/deploy.yml@refs/heads/main``
  (``deploy_subject``);
- for a pull request's preview job: ``repo:O/R:pull_request:job_workflow_ref:`` followed by
  the workflow that runs the job. A workflow started by a pull request runs at
  ``refs/pull/<number>/merge``, which differs per pull request, so no exact subject could
  name it. The preview job therefore lives in the reusable ``PREVIEW_WORKFLOW``, called
  from the pull-request workflow as ``uses: O/R/.github/workflows/preview.yml@main``:
  ``job_workflow_ref`` names the called file at ``refs/heads/main``, and the subject is
  the same for every pull request (``preview_subject``). The preview job must not name an
  environment (the context would become ``environment:<name>``).

- for the scheduled drift job (``DRIFT_WORKFLOW`` on ``main``, no environment):
  ``repo:O/R:ref:refs/heads/main:job_workflow_ref:O/R/.github/workflows/drift.yml@refs/heads/main``
  (``drift_subject``); it previews with ``--refresh``, so it assumes the preview role.

Pulumi Deployments (configured by the root project ``ROOT_PROJECT``) runs only the daily
drift detection of every other project's stacks (``DEPLOYMENTS_OPERATIONS``), never an
update: GitHub Actions runs every update and every pull-request preview, so nothing
deploys twice. Its token's subject names the organisation, project, stack and operation
(``deployments_operations``); the preview role trusts exactly those.

The template closes the gap of the default ``repo:O/R:environment:A`` subject: GitHub
creates a missing environment, unprotected, the first time any workflow names it, so
anyone able to push a workflow could get deploy credentials. With ``job_workflow_ref``
only ``deploy.yml`` as it is on ``main`` can present the deploy subject; the environment
still gates it with its reviewers and its ``main``-only deployment branch policy.
"""

from __future__ import annotations

from typing import Final

from estate.accounts import Account
from estate.contracts import CONTRACTS, ProjectContract, deploy_order
from estate.iam import (
    Branch,
    DeploymentOperation,
    Environment,
    PullRequests,
    WorkflowJobs,
    github_subject_claims,
    pulumi_subject_claims,
)
from estate.naming import ProjectNames
from estate.stack import ORG_IAM_PROJECT

DEFAULT_BRANCH: Final = "main"
DEFAULT_BRANCH_REF: Final = f"refs/heads/{DEFAULT_BRANCH}"
DEPLOY_WORKFLOW: Final = ".github/workflows/deploy.yml"
"""Runs ``pulumi up``; its deploy job names ``environment: <account>``."""
PREVIEW_WORKFLOW: Final = ".github/workflows/preview.yml"
"""Reusable (``on: workflow_call``); runs ``pulumi preview``, called at ``@main``."""
DRIFT_WORKFLOW: Final = ".github/workflows/drift.yml"
"""Scheduled on ``main``: ``pulumi preview --refresh --expect-no-changes`` per stack."""
ROOT_PROJECT: Final = "estate-deployments"
"""The root project: it holds every other project's delivery settings, none of its own."""
DEPLOYMENTS_OPERATIONS: Final = ("detect-drift",)
"""What Pulumi Deployments runs on each stack: the scheduled drift detection (a
preview-only refresh), nothing else; an update or destroy started there is not trusted."""
SUBJECT_CLAIM_KEYS: Final = ("repo", "context", "job_workflow_ref")
"""The repository's OIDC subject template (``include_claim_keys``), in this order."""
DEPLOY_ROLE_PURPOSE: Final = "deploy"
PREVIEW_ROLE_PURPOSE: Final = "preview"


def environment_name(account: str) -> str:
    """The GitHub environment the deploy job of ``account`` runs in: the account's name."""
    return Environment(account).name


def deploy_subject_spec(account: str) -> WorkflowJobs:
    """The deploy jobs of ``account`` as an ``estate.iam`` subject (for ``github_oidc_trust``)."""
    return WorkflowJobs(
        context=Environment(environment_name(account)),
        workflow_path=DEPLOY_WORKFLOW,
        ref=DEFAULT_BRANCH_REF,
    )


def preview_subject_spec() -> WorkflowJobs:
    """Pull-request preview jobs as an ``estate.iam`` subject (for ``github_oidc_trust``)."""
    return WorkflowJobs(
        context=PullRequests(), workflow_path=PREVIEW_WORKFLOW, ref=DEFAULT_BRANCH_REF
    )


def drift_subject_spec() -> WorkflowJobs:
    """The scheduled drift jobs as an ``estate.iam`` subject: ``drift.yml`` on ``main``."""
    return WorkflowJobs(
        context=Branch(DEFAULT_BRANCH), workflow_path=DRIFT_WORKFLOW, ref=DEFAULT_BRANCH_REF
    )


def preview_role_subject_specs() -> list[WorkflowJobs]:
    """Every GitHub job the preview role trusts: pull-request previews and the drift check."""
    return [preview_subject_spec(), drift_subject_spec()]


def delivered_contracts(
    contracts: tuple[ProjectContract, ...] = CONTRACTS,
) -> tuple[ProjectContract, ...]:
    """The projects whose stacks the root project configures in Pulumi Deployments, in
    deploy order: every project but the root itself (a stack never defines its own)."""
    return tuple(c for c in deploy_order(contracts) if c.project != ROOT_PROJECT)


def deployments_operations(
    account: str, contracts: tuple[ProjectContract, ...] = CONTRACTS
) -> list[DeploymentOperation]:
    """What Pulumi Deployments runs in ``account``: each delivered project's stack (named
    like the account), each of ``DEPLOYMENTS_OPERATIONS``."""
    return [
        DeploymentOperation(project=contract.project, stack=account, operation=operation)
        for contract in delivered_contracts(contracts)
        for operation in DEPLOYMENTS_OPERATIONS
    ]


def deployments_subjects(organization: str, account: str) -> tuple[str, ...]:
    """The exact ``sub`` values of Pulumi Deployments' operations in ``account``."""
    return pulumi_subject_claims(organization, deployments_operations(account))


def drift_subject(repository: str) -> str:
    """The exact ``sub`` of the scheduled drift jobs in ``repository``."""
    (claim,) = github_subject_claims(repository, [drift_subject_spec()])
    return claim


def deploy_subject(repository: str, account: str) -> str:
    """The exact ``sub`` of ``account``'s deploy job in ``repository`` ("owner/name")."""
    (claim,) = github_subject_claims(repository, [deploy_subject_spec(account)])
    return claim


def preview_subject(repository: str) -> str:
    """The exact ``sub`` of every pull request's preview job in ``repository``."""
    (claim,) = github_subject_claims(repository, [preview_subject_spec()])
    return claim


def reusable_workflow_reference(repository: str, workflow_path: str = PREVIEW_WORKFLOW) -> str:
    """What a caller writes after ``uses:`` so ``job_workflow_ref`` is the one trusted."""
    return f"{repository}/{workflow_path}@{DEFAULT_BRANCH}"


def _org_iam_names(account: Account) -> ProjectNames:
    return ProjectNames(
        account=account.name, account_id=account.account_id, project=ORG_IAM_PROJECT
    )


def deploy_role_arn(account: Account) -> str:
    """The role the deploy job of ``account`` assumes (``role-to-assume``)."""
    return _org_iam_names(account).role_arn(DEPLOY_ROLE_PURPOSE)


def preview_role_arn(account: Account) -> str:
    """The role a pull request's preview job, the drift job and Pulumi Deployments' drift
    detection assume in ``account``."""
    return _org_iam_names(account).role_arn(PREVIEW_ROLE_PURPOSE)
