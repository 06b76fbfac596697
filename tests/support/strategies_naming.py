"""Hypothesis strategies for estate.naming: valid inputs, and pairs of inputs that look alike."""

import string
from dataclasses import replace

from hypothesis import strategies as st

from estate.naming import NAME_RULES, NameSpec, ResourceKind

PROJECTS = ("org-iam", "core", "scanner-fleet", "observability")
DIRECTIONS = (
    "north",
    "south",
    "east",
    "west",
    "central",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
)
PARTITIONS = ("", "gov", "iso", "isob", "isoe", "isof")
SLUG_ALPHABET = string.ascii_lowercase + string.digits
# What people type into a purpose: mixed case, punctuation, spaces, other scripts.
PURPOSE_NOISE = st.text(
    alphabet=st.one_of(st.sampled_from(" ._-/:@+#Aé\tß"), st.characters()), max_size=20
)

# Single dashes only: "dev--eu" is refused (it would collapse in names).
account_names = st.from_regex(r"[a-z0-9]{1,8}(?:-[a-z0-9]{1,7}){0,3}", fullmatch=True)
account_ids = st.from_regex(r"[0-9]{12}", fullmatch=True)
regions = st.builds(
    lambda area, partition, direction, number: "-".join(
        part for part in (area, partition, direction, str(number)) if part
    ),
    st.sampled_from(("us", "eu", "ap", "ca", "sa", "me", "af", "il", "mx", "cn")),
    st.sampled_from(PARTITIONS),
    st.sampled_from(DIRECTIONS),
    st.integers(1, 99),
)
projects = st.one_of(
    st.sampled_from(PROJECTS),
    st.from_regex(r"[A-Za-z0-9._-]*[A-Za-z0-9][A-Za-z0-9._-]*", fullmatch=True),
)
# Every purpose holds one ASCII letter or digit, wrapped in anything, often long.
purposes = st.builds(
    lambda before, core, after: before + core + after,
    PURPOSE_NOISE,
    st.text(alphabet=SLUG_ALPHABET + string.ascii_uppercase, min_size=1, max_size=300),
    PURPOSE_NOISE,
)
kinds = st.sampled_from(list(ResourceKind))


@st.composite
def name_specs(draw: st.DrawFn, *, with_account_id: bool | None = None) -> NameSpec:
    """Valid inputs; ``with_account_id`` True or False forces the optional account id."""
    if with_account_id is None:
        with_account_id = draw(st.booleans())
    return NameSpec(
        account=draw(account_names),
        project=draw(projects),
        purpose=draw(purposes),
        region=draw(st.none() | regions),
        account_id=draw(account_ids) if with_account_id else None,
    )


def kinds_for(spec: NameSpec) -> list[ResourceKind]:
    """The kinds ``spec`` can name: global kinds need an account id."""
    return [
        kind
        for kind, rule in NAME_RULES.items()
        if spec.account_id is not None or not rule.global_scope
    ]


@st.composite
def lookalike_pairs(draw: st.DrawFn) -> tuple[NameSpec, NameSpec]:
    """Two different inputs likely to read alike once normalised or shortened."""
    spec = draw(name_specs(with_account_id=True))
    purpose = spec.purpose
    variants = {
        "case": purpose.swapcase(),
        "punctuation": purpose.replace("-", "_") if "-" in purpose else purpose + ".",
        "extra separator": purpose + "-",
        "longer": purpose + "x" * draw(st.integers(1, 600)),
        "leading space": " " + purpose,
    }
    variant = draw(st.sampled_from(sorted(variants)))
    other = replace(spec, purpose=variants[variant])
    changes = {
        "purpose": other,
        "account id": replace(spec, account_id=draw(account_ids)),
        "region": replace(spec, region=draw(st.none() | regions)),
        "project case": replace(spec, project=spec.project.swapcase()),
    }
    change = draw(st.sampled_from(sorted(changes)))
    return spec, changes[change]
