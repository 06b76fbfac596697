"""Each fleet function's zip holds the scanner code and its runtime only, and its handler
imports in a clean interpreter whose path holds that zip and Lambda's own libraries
(boto3 and its dependencies, and Powertools from its layer) — nothing of this repository."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from estate.packaging import write_zip
from estate.programs.scanner_fleet import functions as fn

# What Lambda's Python runtime and the Powertools layer put on the path.
LAMBDA_LIBRARIES = (
    "boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six",
    "aws_lambda_powertools", "typing_extensions",
)  # fmt: skip
FOREIGN = ("estate", "pulumi", "moto", "pydantic", "estate_core", "tests")


def _lambda_site(folder: Path) -> Path:
    site = folder / "site"
    site.mkdir()
    for name in LAMBDA_LIBRARIES:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None, name
        location = Path(spec.origin)
        source = location.parent if location.name == "__init__.py" else location
        (site / source.name).symlink_to(source)
    return site


@pytest.fixture(scope="module")
def code_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_zip(fn.CODE_PACKAGES, tmp_path_factory.mktemp("code") / "code.zip")


def test_the_zip_holds_only_the_scanner_packages(code_zip: Path) -> None:
    with zipfile.ZipFile(code_zip) as archive:
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
    assert tops == set(fn.CODE_PACKAGES)


@pytest.mark.parametrize("spec", fn.FUNCTIONS, ids=lambda spec: spec.purpose)
def test_each_handler_imports_in_a_clean_interpreter(
    spec: fn.FleetFunction, code_zip: Path, tmp_path: Path
) -> None:
    site = _lambda_site(tmp_path)
    task = tmp_path / "task"  # Lambda unpacks the zip into /var/task
    with zipfile.ZipFile(code_zip) as archive:
        archive.extractall(task)
    module, _, attribute = spec.handler.rpartition(".")
    probe = (
        "import sys; "
        f"sys.path[:] = [{str(task)!r}, {str(site)!r}] + [p for p in sys.path if 'site-packages' not in p]; "
        f"import {module} as m; assert callable(m.{attribute}); "
        f"bad = sorted(n for n in sys.modules if n.split('.')[0] in {FOREIGN!r}); "
        "print('foreign:', bad); sys.exit(1 if bad else 0)"
    )
    # -I: no user site, no PYTHONPATH, no cwd; -S: no site-packages (no editable installs).
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
