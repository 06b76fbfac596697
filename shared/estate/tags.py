"""AWS resource tags: the platform's standard tags, merged in layers, checked against AWS limits.

Every taggable resource carries, through its provider's default tags, the organisation's tags
(accounts/organization.yaml) plus three platform tags:

- ``estate:account`` (``ACCOUNT_TAG``): the account, which is also the stack, e.g. ``dev``;
- ``estate:stage`` (``STAGE_TAG``): its promotion stage, ``dev``, ``staging`` or ``prod``;
- ``estate:project`` (``PROJECT_TAG``): the Pulumi project, e.g. ``core``.

The ``estate:`` key prefix belongs to the platform; organisation tags may not use it.

``validate_tags`` enforces the limits common to all AWS services: at most 50 user tags per
resource; keys of 1-128 and values of 0-256 characters; only letters, digits and spaces of
any script and ``_ . : / = + - @``; no ``aws:`` prefix in any case, on keys or values (AWS
reserves it; several services reject it on values too); and no two keys differing only in
case (IAM treats tag keys case-insensitively, so one of them would be lost or refused).
"""

import unicodedata
from collections.abc import Mapping
from typing import Final

ACCOUNT_TAG: Final = "estate:account"
STAGE_TAG: Final = "estate:stage"
PROJECT_TAG: Final = "estate:project"
PLATFORM_TAG_PREFIX: Final = "estate:"

MAX_TAGS_PER_RESOURCE: Final = 50
MAX_KEY_LENGTH: Final = 128
MAX_VALUE_LENGTH: Final = 256
RESERVED_PREFIX: Final = "aws:"
ALLOWED_SYMBOLS: Final = frozenset("_.:/=+-@")
_ALLOWED_TEXT: Final = "letters, digits, spaces and _ . : / = + - @"
_SHOWN_CHARACTERS: Final = 60


class TagError(ValueError):
    """A tag AWS would refuse; the message names the key or value and the fix."""


def merge_tags(*layers: Mapping[str, str]) -> dict[str, str]:
    """All layers' tags in one dict; where layers share a key, the later layer's value wins."""
    merged: dict[str, str] = {}
    for layer in layers:
        merged.update(layer)
    return merged


def _show(text: str) -> str:
    """``text`` quoted for a one-line message, cut if long."""
    if len(text) <= _SHOWN_CHARACTERS:
        return repr(text)
    return repr(text[:_SHOWN_CHARACTERS]) + "..."


def is_allowed_character(character: str) -> bool:
    """Whether AWS accepts ``character`` in tag keys and values."""
    category = unicodedata.category(character)
    return category[0] in "LN" or category == "Zs" or character in ALLOWED_SYMBOLS


def _check_text(what: str, text: object, max_length: int, min_length: int) -> str:
    """``text`` if it is a string AWS accepts as ``what``; TagError otherwise."""
    if not isinstance(text, str):
        raise TagError(
            f"{what} is a {type(text).__name__} ({text!r}): tags are strings; quote it in YAML"
        )
    if not min_length <= len(text) <= max_length:
        raise TagError(
            f"{what} has {len(text)} characters: AWS allows {min_length} to {max_length}"
        )
    for character in text:
        if not is_allowed_character(character):
            raise TagError(
                f"{what} contains {character!r} (U+{ord(character):04X}): use {_ALLOWED_TEXT}"
            )
    if text.casefold().startswith(RESERVED_PREFIX):
        raise TagError(f"{what} starts with {text[:4]!r}: AWS reserves 'aws:'; choose another")
    return text


def validate_tags(tags: Mapping[str, object]) -> dict[str, str]:
    """A copy of ``tags`` if one AWS resource can carry them all; TagError naming the fault."""
    if len(tags) > MAX_TAGS_PER_RESOURCE:
        raise TagError(
            f"{len(tags)} tags on one resource: AWS allows {MAX_TAGS_PER_RESOURCE}; "
            f"remove {len(tags) - MAX_TAGS_PER_RESOURCE}"
        )
    checked: dict[str, str] = {}
    keys_by_folded_case: dict[str, str] = {}
    for raw_key, raw_value in tags.items():
        key = _check_text("tag key " + _show(str(raw_key)), raw_key, MAX_KEY_LENGTH, 1)
        value = _check_text(f"tag {_show(key)} value", raw_value, MAX_VALUE_LENGTH, 0)
        twin = keys_by_folded_case.setdefault(key.casefold(), key)
        if twin != key:
            raise TagError(
                f"tag keys {_show(twin)} and {_show(key)} differ only in case, which IAM "
                "treats as one key: keep one"
            )
        checked[key] = value
    return checked


def standard_tags(
    *, organization_tags: Mapping[str, str], account: str, stage: str, project: str
) -> dict[str, str]:
    """The organisation's tags plus the platform's account, stage and project tags, checked."""
    for key in organization_tags:
        if str(key).casefold().startswith(PLATFORM_TAG_PREFIX):
            raise TagError(
                f"organisation tag {_show(key)} uses the {PLATFORM_TAG_PREFIX!r} prefix, which "
                "the platform reserves: rename it in accounts/organization.yaml"
            )
    platform = {ACCOUNT_TAG: account, STAGE_TAG: stage, PROJECT_TAG: project}
    for key, value in platform.items():
        if not value:
            raise TagError(f"tag {key!r} needs a value: pass a non-empty {key.split(':')[1]}")
    return validate_tags(merge_tags(organization_tags, platform))
