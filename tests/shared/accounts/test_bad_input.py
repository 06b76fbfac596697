"""Every refused accounts/ input: `estate accounts check` exits 2 with one line per problem,
naming the file (and the field or line), never a traceback, and within a bounded cost."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from estate.accounts import AccountsError, load_estate
from estate.accounts.yaml_source import MAX_DEPTH, MAX_FILE_BYTES
from estate.cli.main import main

Edit = Callable[[Path], object]


def _append(file: str, text: str) -> Edit:
    def edit(directory: Path) -> None:
        path = directory / file
        path.write_text(path.read_text() + text)

    return edit


def _replace(file: str, old: str, new: str) -> Edit:
    def edit(directory: Path) -> None:
        path = directory / file
        assert old in path.read_text(), f"fixture drift: {old!r} not in {file}"
        path.write_text(path.read_text().replace(old, new, 1))

    return edit


def _write(file: str, content: str | bytes) -> Edit:
    def edit(directory: Path) -> None:
        path = directory / file
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)

    return edit


def _rename(old: str, new: str) -> Edit:
    def edit(directory: Path) -> None:
        (directory / old).rename(directory / new)
        organization = directory / "organization.yaml"
        stem_old, stem_new = old.removesuffix(".yaml"), new.removesuffix(".yaml")
        organization.write_text(organization.read_text().replace(stem_old, stem_new))

    return edit


_ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(20)
)

CASES: list[tuple[str, Edit, str]] = [
    (
        "complex key",
        _append("staging.yaml", "? [a, b]\n: 1\n"),
        r"staging\.yaml: line \d+: a key is a sequence",
    ),
    (
        "mapping key",
        _append("staging.yaml", "? {a: 1}\n: 1\n"),
        r"staging\.yaml: line \d+: a key is a mapping",
    ),
    (
        "deep nesting",
        _write("dev.yaml", "a: " + "[" * 20_000 + "]" * 20_000 + "\n"),
        rf"dev\.yaml: line 1: nests lists and mappings more than {MAX_DEPTH} deep",
    ),
    (
        "alias bomb",
        _write("dev.yaml", _ALIAS_BOMB),
        r"dev\.yaml: line 1: defines the anchor &a; anchors and aliases are not allowed",
    ),
    (
        "merge key",
        _append("prod.yaml", "base: &base {x: 1}\nother:\n  <<: *base\n"),
        r"prod\.yaml: line \d+: defines the anchor &base",
    ),
    (
        "oversized file",
        _write("dev.yaml", "# padding\n" * (MAX_FILE_BYTES // 10 + 1)),
        r"dev\.yaml: is larger than 1024 KiB",
    ),
    ("not UTF-8", _write("dev.yaml", b"account_id: \xff\xfe\n"), r"dev\.yaml: is not UTF-8 text"),
    (
        "duplicate key",
        _append("dev.yaml", "stage: prod\n"),
        r"dev\.yaml: line \d+: key 'stage' appears twice",
    ),
    (
        "collapsing account name",
        _rename("dev.yaml", "dev--eu.yaml"),
        r"dev--eu\.yaml: name: .*single dashes.*'--' would collapse",
    ),
    ("trailing dash", _rename("dev.yaml", "dev-.yaml"), r"dev-\.yaml: name: .*single dashes"),
    (
        "min_severity case",
        _replace("dev.yaml", "min_severity: HIGH", "min_severity: high"),
        r"dev\.yaml: alerts\.min_severity: 'high': is not allowed; write one of 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW' or 'INFORMATIONAL'",
    ),
    (
        "stage case",
        _replace("dev.yaml", "stage: dev", "stage: Dev"),
        r"dev\.yaml: stage: 'Dev': is not allowed; write one of 'dev', 'staging' or 'prod'",
    ),
    (
        "unknown scan target",
        _replace("prod.yaml", "  tags: true", "  tags: true\n  targets: [qa]"),
        r"prod\.yaml: scan\.targets: 'qa' has no file qa\.yaml",
    ),
    (
        "self as scan target",
        _replace("prod.yaml", "  tags: true", "  tags: true\n  targets: [prod]"),
        r"prod\.yaml: scan\.targets: 'prod' is this account",
    ),
    (
        "target scanned twice",
        lambda d: (
            _replace("prod.yaml", "  tags: true", "  tags: true\n  targets: [dev]")(d),
            _replace("staging.yaml", "  tags: true", "  tags: true\n  targets: [dev]")(d),
        ),
        r"staging\.yaml: scan\.targets: 'dev' is already scanned by prod",
    ),
    (
        "chained hubs",
        lambda d: (
            _replace("prod.yaml", "  tags: true", "  tags: true\n  targets: [staging]")(d),
            _replace("staging.yaml", "  tags: true", "  tags: true\n  targets: [dev]")(d),
        ),
        r"prod\.yaml: scan\.targets: 'staging' is itself a hub",
    ),
    (
        "target listed twice",
        _replace("prod.yaml", "  tags: true", "  tags: true\n  targets: [dev, dev]"),
        r"prod\.yaml: scan\.targets: .*names an account twice",
    ),
]


@pytest.mark.parametrize(("case", "edit", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_refused_input_exits_2_with_one_line_naming_the_file(
    accounts_copy: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    edit: Edit,
    expected: str,
) -> None:
    edit(accounts_copy)
    assert main(["accounts", "check", "--dir", str(accounts_copy)]) == 2, case
    lines = capsys.readouterr().err.splitlines()
    problems, summary = lines[:-1], lines[-1]
    assert summary.endswith("nothing was used")
    assert len(problems) == 1, lines
    assert re.search(expected, problems[0]), problems[0]
    assert "Traceback" not in problems[0] and len(problems[0]) < 400


def test_a_hub_may_scan_other_accounts(accounts_copy: Path) -> None:
    _replace("prod.yaml", "  tags: true", "  tags: true\n  targets: [staging, dev]")(accounts_copy)
    estate = load_estate(accounts_copy)
    assert estate.account("prod").scan.targets == ("staging", "dev")
    assert estate.scan_hub("staging").name == "prod"
    assert estate.scan_hub("prod").name == "prod"
    assert [a.name for a in estate.scanned_by("prod")] == ["prod", "staging", "dev"]
    assert estate.scanned_by("staging") == ()


def test_a_file_just_under_the_cap_is_read(accounts_copy: Path) -> None:
    dev = accounts_copy / "dev.yaml"
    text = dev.read_text()
    dev.write_text(text + "#" * (MAX_FILE_BYTES - len(text.encode()) - 1) + "\n")
    assert load_estate(accounts_copy).account("dev").account_id == "111111111111"


def test_nesting_up_to_the_limit_is_parsed_and_then_judged_by_the_model(
    accounts_copy: Path,
) -> None:
    depth = MAX_DEPTH - 1  # the file's own mapping is one level
    _append("dev.yaml", "extra: " + "[" * depth + "]" * depth + "\n")(accounts_copy)
    with pytest.raises(AccountsError) as refused:
        load_estate(accounts_copy)
    (problem,) = refused.value.problems
    assert problem.field == "extra" and "not a known key" in problem.message
