"""estate_core imports only what Lambda's runtime has: stdlib, boto3/botocore, Powertools,
estate_runtime and itself."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import estate_core
from tests.shared.estate_runtime.test_runtime_imports import ALLOWED_THIRD_PARTY, imported_roots

MODULES = sorted(Path(estate_core.__file__).parent.rglob("*.py"))


def test_estate_core_holds_the_four_handlers() -> None:
    names = {path.name for path in MODULES}
    assert {
        "ingest_handler.py",
        "alerts_handler.py",
        "api_handler.py",
        "securityhub_handler.py",
    } <= names


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_an_estate_core_module_imports_nothing_lambda_lacks(path: Path) -> None:
    allowed = set(sys.stdlib_module_names) | ALLOWED_THIRD_PARTY | {"estate_core", "estate_runtime"}
    assert imported_roots(path) - allowed == set()
