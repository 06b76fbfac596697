"""Lambda code archives: the Python packages of shared/ a function runs, and nothing else.

One file map serves both uses: ``code_archive`` hands it to Pulumi as an ``AssetArchive``,
``write_zip`` writes the same map to a real zip (tests import handlers from it in a clean
interpreter; the emulator gives it to moto). Only ``.py`` and ``.json`` files travel: no
``__pycache__``, no type stubs, no test data, so the archive's hash changes only when code
or its data does.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final

import pulumi

SHARED_ROOT: Final = Path(__file__).resolve().parents[1]
SHIPPED_SUFFIXES: Final = frozenset({".py", ".json"})
# Fixed zip entry time: identical code gives identical bytes.
_ZIP_TIME: Final = (1980, 1, 1, 0, 0, 0)


class PackagingError(ValueError):
    """A package that cannot be shipped; the message names it and the fix."""


def package_files(packages: Sequence[str], *, root: Path = SHARED_ROOT) -> dict[str, Path]:
    """Archive path -> file, for every shipped file of ``packages`` (top-level names)."""
    if not packages:
        raise PackagingError("no packages given; name at least the handler's package")
    files: dict[str, Path] = {}
    for package in packages:
        directory = root / package
        if "/" in package or "." in package or not (directory / "__init__.py").is_file():
            raise PackagingError(
                f"package {package!r} is not a top-level package under {root}; "
                "give a folder name with an __init__.py, e.g. estate_runtime"
            )
        for path in sorted(directory.rglob("*")):
            relative = path.relative_to(root)
            if (
                path.is_file()
                and path.suffix in SHIPPED_SUFFIXES
                and "__pycache__" not in relative.parts
            ):
                files[relative.as_posix()] = path
    return files


def code_archive(packages: Sequence[str], *, root: Path = SHARED_ROOT) -> pulumi.AssetArchive:
    """The Pulumi archive of ``packages``: one FileAsset per shipped file."""
    assets: dict[str, pulumi.Asset | pulumi.Archive] = {
        name: pulumi.FileAsset(str(path))
        for name, path in package_files(packages, root=root).items()
    }
    return pulumi.AssetArchive(assets)


def zip_bytes_of(files: Mapping[str, Path]) -> bytes:
    """The zip of a file map, deterministic (sorted entries, fixed times)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name].read_bytes())
    return buffer.getvalue()


def write_zip(packages: Sequence[str], target: Path, *, root: Path = SHARED_ROOT) -> Path:
    """Write the zip Lambda would receive for ``packages`` to ``target``; return it."""
    target.write_bytes(zip_bytes_of(package_files(packages, root=root)))
    return target


def archive_files(archive: pulumi.AssetArchive) -> dict[str, Path]:
    """The file map back out of an archive ``code_archive`` built (the emulator zips it)."""
    files: dict[str, Path] = {}
    for name, asset in archive.assets.items():
        if not isinstance(asset, pulumi.FileAsset):
            raise PackagingError(
                f"archive entry {name!r} is no FileAsset; build it with code_archive"
            )
        files[name] = Path(asset.path)
    return files
