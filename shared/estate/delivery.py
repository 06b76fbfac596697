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

The template closes the gap of the default ``repo:O/R:environment:A`` subject: GitHub
creates a missing environment, unprotected, the first time any workflow names it, so
anyone able to push a workflow could get deploy credentials. With ``job_workflow_ref``
only ``deploy.yml`` as it is on ``main`` can present the deploy subject; the environment
still gates it with its reviewers and its ``main``-only deployment branch policy.
"""

from __future__ import annotations

from typing import Final

from estate.accounts import Account
from estate.iam import Environment, PullRequests, WorkflowJobs, github_subject_claims
from estate.naming import ProjectNames
from estate.stack import ORG_IAM_PROJECT

DEFAULT_BRANCH: Final = "main"
DEFAULT_BRANCH_REF: Final = f"refs/heads/{DEFAULT_BRANCH}"
DEPLOY_WORKFLOW: Final = ".github/workflows/deploy.yml"
"""Runs ``pulumi up``; its deploy job names ``environment: <account>``."""
PREVIEW_WORKFLOW: Final = ".github/workflows/preview.yml"
"""Reusable (``on: workflow_call``); runs ``pulumi preview``, called at ``@main``."""
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
    """The role the deploy job of ``account`` assumes (``role-to-assume``, Deployments OIDC)."""
    return _org_iam_names(account).role_arn(DEPLOY_ROLE_PURPOSE)


def preview_role_arn(account: Account) -> str:
    """The role a pull request's preview job assumes in ``account``."""
    return _org_iam_names(account).role_arn(PREVIEW_ROLE_PURPOSE)
