"""Load accounts/ into a validated Estate, or fail with one line per problem."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from estate.accounts.model import Account, Organization
from estate.accounts.yaml_source import read_yaml

ORGANIZATION_FILE = "organization.yaml"
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in accounts/: where it is and how to fix it."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class AccountsError(ValueError):
    """accounts/ is invalid; `problems` lists every problem found, one line each."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class Estate:
    """The whole estate: the organisation and its accounts in promotion order."""

    organization: Organization
    accounts: Mapping[str, Account]
    directory: Path

    def account(self, name: str) -> Account:
        """The account named `name`; KeyError names the known ones."""
        try:
            return self.accounts[name]
        except KeyError:
            known = ", ".join(self.accounts)
            raise KeyError(
                f"no account named {name!r} in {self.directory}; known: {known}"
            ) from None

    def __iter__(self) -> Iterator[Account]:
        return iter(self.accounts.values())

    def scan_hub(self, name: str) -> Account:
        """The account whose scanner fleet scans account `name`: the hub listing it in
        `scan.targets`, or the account itself when no hub names it."""
        for hub in self.accounts.values():
            if name in hub.scan.targets:
                return hub
        return self.account(name)

    def scanned_by(self, hub: str) -> tuple[Account, ...]:
        """The accounts the fleet of `hub` scans: itself, unless another hub scans it, and
        its `scan.targets`."""
        own = () if self.scan_hub(hub).name != hub else (self.account(hub),)
        return own + tuple(self.account(name) for name in self.account(hub).scan.targets)


def default_accounts_dir() -> Path:
    """accounts/ of this repository (the estate package lives in <repo>/shared/estate)."""
    return Path(__file__).resolve().parents[3] / "accounts"


def load_estate(directory: Path | None = None) -> Estate:
    """Read and validate every file of accounts/; raise AccountsError listing all problems."""
    directory = directory or default_accounts_dir()
    if not directory.is_dir():
        raise AccountsError(
            [
                Problem(
                    str(directory), "", "is not a directory; pass --dir PATH to the accounts folder"
                )
            ]
        )
    problems: list[Problem] = []
    organization = _load_model(directory / ORGANIZATION_FILE, Organization, {}, problems)
    accounts: dict[str, Account] = {}
    for path in sorted(directory.glob("*.yaml")):
        if path.name == ORGANIZATION_FILE:
            continue
        account = _load_model(path, Account, {"name": path.stem}, problems)
        if account is not None:
            accounts[account.name] = account
    for path in sorted(directory.glob("*.yml")):
        problems.append(Problem(_display(path), "", "has the .yml ending; rename it to .yaml"))
    problems.extend(_cross_file_problems(directory, organization, accounts))
    if problems:
        raise AccountsError(problems)
    assert organization is not None  # no problems means it loaded
    ordered = {name: accounts[name] for name in organization.promotion}
    ordered.update(
        {name: account for name, account in sorted(accounts.items()) if name not in ordered}
    )
    return Estate(organization=organization, accounts=ordered, directory=directory)


def _load_model(
    path: Path, model: type[M], implied: dict[str, Any], problems: list[Problem]
) -> M | None:
    shown = _display(path)
    if not path.exists():
        problems.append(
            Problem(shown, "", "is missing; create it (see the README's accounts section)")
        )
        return None
    try:
        data = read_yaml(path)
    except ValueError as error:
        problems.append(Problem(shown, "", str(error)))
        return None
    if not isinstance(data, dict):
        problems.append(Problem(shown, "", "must be a YAML mapping of keys to values"))
        return None
    for key in implied:
        if key in data:
            problems.append(Problem(shown, key, "is implied by the file name; remove it"))
            return None
    try:
        return model.model_validate({**data, **implied})
    except ValidationError as error:
        problems.extend(_problems_from(shown, error))
        return None


def _problems_from(shown: str, error: ValidationError) -> Iterator[Problem]:
    for detail in error.errors(include_url=False):
        field = _field_path(detail["loc"])
        kind = detail["type"]
        value = detail.get("input")
        message = str(detail["msg"]).removeprefix("Value error, ")
        if kind == "extra_forbidden":
            message = "is not a known key; remove it or fix its spelling"
        elif kind == "missing":
            message = "is required; add it"
        elif kind == "string_pattern_mismatch":
            pattern = detail.get("ctx", {}).get("pattern", "")
            message = f"{value!r} does not match the expected form {pattern}"
        elif kind == "enum":
            # The allowed values exactly as they must be written (lowercasing the message
            # would turn HIGH into high, which is itself refused).
            expected = detail.get("ctx", {}).get("expected", "")
            message = f"{_short(value)}: is not allowed; write one of {expected}"
        elif kind.endswith("_type") or kind == "literal_error":
            message = f"{_short(value)}: {message.lower()}"
        elif value is not None and not isinstance(value, dict):
            message = f"{_short(value)}: {message}"
        yield Problem(shown, field, message)


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _field_path(location: tuple[int | str, ...]) -> str:
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _cross_file_problems(
    directory: Path, organization: Organization | None, accounts: Mapping[str, Account]
) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for name, account in sorted(accounts.items()):
        other = seen.get(account.account_id)
        if other is not None:
            yield Problem(
                f"{_display(directory / name)}.yaml",
                "account_id",
                f"{account.account_id!r} is also the id of {other}.yaml; each account file names a different account",
            )
        seen[account.account_id] = name
    yield from _scan_target_problems(directory, accounts)
    if organization is None:
        return
    for name in organization.promotion:
        if name not in accounts and (directory / f"{name}.yaml").exists() is False:
            yield Problem(
                _display(directory / ORGANIZATION_FILE),
                "promotion",
                f"{name!r} has no file {name}.yaml; add it or remove it from promotion",
            )


def _scan_target_problems(directory: Path, accounts: Mapping[str, Account]) -> Iterator[Problem]:
    """Hubs and spokes: every target exists, is scanned by one hub only, and is no hub itself."""
    hub_of: dict[str, str] = {}
    for name, account in sorted(accounts.items()):
        shown = f"{_display(directory / name)}.yaml"
        for target in account.scan.targets:
            if target == name:
                yield Problem(
                    shown,
                    "scan.targets",
                    f"{target!r} is this account; an account "
                    "always scans itself unless a hub lists it, remove it",
                )
            elif target not in accounts:
                yield Problem(
                    shown,
                    "scan.targets",
                    f"{target!r} has no file {target}.yaml; list existing accounts only",
                )
            elif accounts[target].scan.targets:
                yield Problem(
                    shown,
                    "scan.targets",
                    f"{target!r} is itself a hub (it lists "
                    "scan.targets); hubs do not chain, list its targets here instead",
                )
            elif target in hub_of:
                yield Problem(
                    shown,
                    "scan.targets",
                    f"{target!r} is already scanned by "
                    f"{hub_of[target]}; each account has one hub, remove one",
                )
            else:
                hub_of[target] = name


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
