"""Fixtures every test may use: the shipped estate, editable copies of it, mocked program
runs, and fake AWS (in-process moto, or a real moto_server on 127.0.0.1).

- ``aws_credentials``: fake credentials and region in the environment, no profile or config
  file, so no test can ever reach a real account.
- ``mocked_aws``: the above plus moto's in-process ``mock_aws``.
- ``moto_endpoint``: the URL of a real ``moto_server`` on 127.0.0.1 (one per test session,
  state reset before each test) for code paths that in-process moto hides (DNS, URLs).
"""

from __future__ import annotations

import os
import shutil
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from moto import mock_aws
from moto.server import ThreadedMotoServer

from estate.accounts import Estate, default_accounts_dir, load_estate
from estate.contracts import contract_for
from estate.plan.runner import StackRun, run_stack

REPOSITORY = Path(__file__).resolve().parents[1]

# Hypothesis: CI must not fail by chance, so there every property runs a fixed, derived set
# of examples (derandomize) and keeps no database. Local runs keep exploring fresh seeds.
# Either way a failure prints the `@reproduce_failure` blob that replays it.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True, deadline=None)
settings.register_profile("explore", print_blob=True, deadline=None)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "explore")
)

# Lambda-side fixtures (fake contexts, fault injection) for every test that runs handler code.
pytest_plugins = ["lambda_fixtures"]


@pytest.fixture(scope="session")
def estate() -> Estate:
    """The estate as shipped in accounts/."""
    return load_estate()


@pytest.fixture
def accounts_copy(tmp_path: Path) -> Path:
    """A writable copy of accounts/ for tests that break it on purpose."""
    target = tmp_path / "accounts"
    shutil.copytree(default_accounts_dir(), target)
    return target


_RUNS: dict[tuple[str, str], StackRun] = {}


@pytest.fixture(scope="session")
def run_program(estate: Estate) -> Callable[[str, str], StackRun]:
    """Run project `project`'s __main__ for account `account` under Pulumi mocks (cached)."""

    def run(project: str, account: str) -> StackRun:
        key = (project, account)
        if key not in _RUNS:
            _RUNS[key] = run_stack(contract_for(project), estate.account(account), estate)
        return _RUNS[key]

    return run


@pytest.fixture
def aws_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """Fake credentials only: no profile, no shared config, no endpoint override."""
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "EstateTests")


@pytest.fixture
def mocked_aws(aws_credentials: None) -> Iterator[None]:
    """Every AWS call in the test is answered by in-process moto."""
    with mock_aws():
        yield


@pytest.fixture(scope="session")
def _moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto_endpoint(_moto_server: str, aws_credentials: None) -> str:
    """A ``moto_server`` endpoint URL on loopback with fresh state (do not combine with
    ``mocked_aws``: in-process moto would intercept the calls meant for the server)."""
    request = urllib.request.Request(f"{_moto_server}/moto-api/reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200
    return _moto_server
