"""The estate as data: accounts/ loaded, validated and typed."""

from estate.accounts.loader import AccountsError, Estate, Problem, default_accounts_dir, load_estate
from estate.accounts.model import (
    Account,
    Alerts,
    Organization,
    ScanSettings,
    Severity,
    Sizes,
    Stage,
    TagRule,
)

__all__ = [
    "Account",
    "AccountsError",
    "Alerts",
    "Estate",
    "Organization",
    "Problem",
    "ScanSettings",
    "Severity",
    "Sizes",
    "Stage",
    "TagRule",
    "default_accounts_dir",
    "load_estate",
]
