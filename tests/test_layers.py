"""The import layers point one way: estate_runtime ← estate_scanners ← estate.

Lambda packages import only what a function's zip and the Lambda runtime carry; the
Pulumi/CLI package may import them; nothing imports ``projects/`` (programs are run, never
imported). Every top-level package under ``shared/`` must be named in ``LAYERS``, so a new
package decides its layer on purpose.
"""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]

# What the Lambda runtime (plus AWS's Powertools layer) provides besides the standard library.
LAMBDA_THIRD_PARTY = frozenset({"boto3", "botocore", "aws_lambda_powertools"})
# Package → the repository packages it may import (besides itself). None: any but projects.
LAYERS: dict[str, frozenset[str] | None] = {
    "estate_runtime": frozenset(),
    "estate_scanners": frozenset({"estate_runtime"}),
    "estate_core": frozenset({"estate_runtime"}),
    "estate": None,
}
LAMBDA_PACKAGES = frozenset(name for name, allowed in LAYERS.items() if allowed is not None)


def imported_roots(path: Path) -> set[str]:
    """Top-level names `path` imports, lazily or not; relative imports stay in the package."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def project_import_names(root: Path) -> set[str]:
    """Names an import of a program folder would use: `projects` and each project folder."""
    projects = root / "projects"
    return {"projects"} | {p.name for p in projects.iterdir() if p.is_dir()}


def layer_violations(root: Path) -> list[str]:
    """Every import under `root` that points the wrong way, one line each."""
    problems: list[str] = []
    forbidden_projects = project_import_names(root)
    shared = root / "shared"
    own = {p.name for p in shared.iterdir() if (p / "__init__.py").exists()}
    for package in sorted(own):
        if package not in LAYERS:
            problems.append(f"shared/{package}: not in LAYERS; decide which layer it is")
            continue
        allowed = LAYERS[package]
        for path in sorted((shared / package).rglob("*.py")):
            where = path.relative_to(root)
            for name in sorted(imported_roots(path)):
                if name in forbidden_projects:
                    problems.append(f"{where}: imports {name} (nothing imports projects/)")
                elif allowed is not None and name not in (
                    set(sys.stdlib_module_names) | LAMBDA_THIRD_PARTY | allowed | {package}
                ):
                    problems.append(f"{where}: imports {name}, outside layer {package}")
    for folder in ("tests", "bench"):
        for path in sorted((root / folder).rglob("*.py")):
            for name in sorted(imported_roots(path) & forbidden_projects):
                problems.append(
                    f"{path.relative_to(root)}: imports {name} (never import projects/)"
                )
    return problems


def test_the_repository_imports_only_downward() -> None:
    assert layer_violations(REPOSITORY) == []


def test_every_lambda_package_exists_and_holds_modules() -> None:
    for package in LAMBDA_PACKAGES:
        assert any((REPOSITORY / "shared" / package).rglob("*.py")), package


def _copy_tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for folder in ("shared", "projects", "tests", "bench"):
        shutil.copytree(
            REPOSITORY / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    return root


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("shared/estate_runtime/upward.py", "import estate\n", "outside layer estate_runtime"),
        (
            "shared/estate_scanners/upward.py",
            "def f() -> None:\n    from estate.naming import resource_name\n",
            "outside layer estate_scanners",
        ),
        ("shared/estate_runtime/third.py", "import pulumi\n", "outside layer estate_runtime"),
        ("shared/estate/into_project.py", "import projects\n", "nothing imports projects/"),
        ("tests/test_into_project.py", "import org_iam\n", "never import projects/"),
        ("shared/estate_newpkg/__init__.py", "", "not in LAYERS"),
    ],
)
def test_a_deliberate_wrong_import_is_caught(
    tmp_path: Path, module: str, source: str, expected: str
) -> None:
    root = _copy_tree(tmp_path)
    (root / module).parent.mkdir(parents=True, exist_ok=True)
    (root / module).write_text(source, encoding="utf-8")
    problems = layer_violations(root)
    assert len(problems) == 1
    assert expected in problems[0]
