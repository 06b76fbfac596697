"""The code archive of a function imports its handler with nothing else on the path."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from estate.packaging import PackagingError, code_archive, package_files, write_zip
from estate.programs.core import functions

REPOSITORY = Path(__file__).resolve().parents[2]
HANDLERS = [
    functions.INGEST_HANDLER,
    functions.ALERTS_HANDLER,
    functions.API_HANDLER,
    functions.SECURITY_HUB_HANDLER,
]
# Lambda's Python runtime has boto3 (and Powertools comes from the layer); site-packages
# stands in for both. It is put on the path directly, so its .pth files (the editable
# install's link to shared/) are not read.
PROBE = """
import importlib, sys
sys.path.insert(0, {zip_path!r})
sys.path.append({site!r})
module, _, name = {handler!r}.rpartition(".")
handler = getattr(importlib.import_module(module), name)
origin = sys.modules[module].__file__
assert origin.startswith({zip_path!r}), origin
for forbidden in ("estate", "estate_scanners", "tests"):
    try:
        importlib.import_module(forbidden)
    except ImportError:
        continue
    raise SystemExit(forbidden + " is importable")
print("ok", callable(handler))
"""


def test_only_python_and_json_files_travel_and_no_bytecode() -> None:
    files = package_files(functions.CODE_PACKAGES)
    assert "estate_runtime/findings.schema.json" in files
    assert "estate_core/ingest_handler.py" in files
    assert all(name.endswith((".py", ".json")) for name in files)
    assert not any("__pycache__" in name for name in files)
    assert {name.split("/")[0] for name in files} == set(functions.CODE_PACKAGES)
    assert set(code_archive(functions.CODE_PACKAGES).assets) == set(files)


def test_a_package_that_is_not_one_is_refused_by_name() -> None:
    with pytest.raises(PackagingError, match="estate_nothing"):
        package_files(["estate_nothing"])


@pytest.mark.parametrize("handler", HANDLERS)
def test_each_handler_imports_from_the_zip_alone_in_a_clean_interpreter(
    handler: str, tmp_path: Path
) -> None:
    archive = write_zip(functions.CODE_PACKAGES, tmp_path / "code.zip")
    assert zipfile.ZipFile(archive).testzip() is None
    probe = PROBE.format(
        site=sysconfig.get_paths()["purelib"], handler=handler, zip_path=str(archive)
    )
    # -I: no PYTHONPATH, no user site, not the working directory; -S: no site-packages.
    completed = subprocess.run(
        [sys.executable, "-I", "-S", "-c", probe],
        env={"AWS_DEFAULT_REGION": "us-east-1"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "ok True"
