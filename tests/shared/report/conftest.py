"""A synthetic three-scan history of two accounts, written once per session as report parts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.synthetic_findings import write_history


@pytest.fixture(scope="session")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """(parts folder, every finding written there)."""
    root = tmp_path_factory.mktemp("parts")
    return root, write_history(root)
