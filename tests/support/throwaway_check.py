"""A check module written by a test into a folder joined to a scanner's checks package: what
"adding a check is one module" needs, the same for the S3 analyzer and the tag checker."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

MODULE = "throwaway_probe"


@contextmanager
def joined_check_module(
    folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    *,
    package: ModuleType,
    source: str,
    forget_registry: Callable[[], None],
) -> Iterator[Path]:
    """``source`` as ``<folder>/throwaway_probe.py``, found by ``package``'s registry while
    the block runs; afterwards the package, its registry and ``sys.modules`` as before."""
    (folder / f"{MODULE}.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(folder)])
    forget_registry()
    try:
        yield folder
    finally:
        sys.modules.pop(f"{package.__name__}.{MODULE}", None)
        monkeypatch.undo()
        forget_registry()
