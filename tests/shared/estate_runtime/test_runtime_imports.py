"""Lambda code imports only the standard library, boto3/botocore, Powertools and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import estate_runtime
import estate_scanners

ALLOWED_THIRD_PARTY = {"boto3", "botocore", "aws_lambda_powertools"}
OWN_PACKAGES = {"estate_runtime", "estate_scanners"}
LAMBDA_PACKAGES = [Path(estate_runtime.__file__).parent, Path(estate_scanners.__file__).parent]
MODULES = sorted(path for package in LAMBDA_PACKAGES for path in package.rglob("*.py"))


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_lambda_packages_hold_modules() -> None:
    assert any(path.name == "findings.py" for path in MODULES)
    assert any(path.name == "tag_checker_handler.py" for path in MODULES)


@pytest.mark.parametrize("path", MODULES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_a_lambda_module_imports_nothing_lambda_lacks(path: Path) -> None:
    allowed = set(sys.stdlib_module_names) | ALLOWED_THIRD_PARTY | OWN_PACKAGES
    assert imported_roots(path) - allowed == set()
