"""The delivery decisions the root project turns into settings, in one place.

Who runs what (README "Deploying for real"): GitHub Actions runs every update (deploy.yml,
ordered dev -> staging -> prod, gated by the environments) and every pull-request preview
(preview.yml). Pulumi Deployments runs only the scheduled drift detection, which never
remediates: it never updates a stack from a commit, previews a pull request or creates
review stacks (``deploy_commits``, ``preview_pull_requests`` and ``pull_request_template``
are off; a review stack would run a pull request's code with write credentials). Its
operations assume the account's read-only preview role, which trusts exactly its
drift-detection subjects (estate.delivery). So no change is ever deployed twice, and
nothing Pulumi Deployments starts can write to an account.
"""

from __future__ import annotations

from typing import Final

from estate.accounts import Account, Stage

DEFAULT_BRANCH: Final = "main"
# The GitHub team whose members approve deployments to an environment that needs review.
# Create it (Settings -> Teams) before the first `pulumi up` of the root project.
REVIEWER_TEAM_SLUG: Final = "estate-approvers"
REVIEWED_STAGES: Final = frozenset({Stage.PROD})
# Pulumi Deployments' drift detection, daily, an hour before the GitHub drift workflow.
DRIFT_CRON: Final = "0 4 * * *"
# The issue label of the drift workflow's issues (estate.gitops.drift_issue.LABEL).
DRIFT_LABEL_COLOR: Final = "d93f0b"
# Runs before every Pulumi Deployments operation, from the repository root: the same
# locked environment CI uses (uv sync --frozen through the Makefile), nothing else.
PRE_RUN_COMMANDS: Final = ('make -C "$(git rev-parse --show-toplevel)" env',)


def needs_review(account: Account) -> bool:
    """Whether deployments to `account`'s environment wait for a reviewer."""
    return account.stage in REVIEWED_STAGES


def repo_url(repository: str) -> str:
    """The HTTPS clone URL of `repository` ("owner/name")."""
    return f"https://github.com/{repository}.git"
