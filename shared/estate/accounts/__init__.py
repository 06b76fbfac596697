"""The estate as data: accounts/ loaded, validated and typed."""

from estate.accounts.loader import AccountsError, Estate, Problem, default_accounts_dir, load_estate
from estate.accounts.model import (
    Account,
    Alerts,
    Organization,
    RequiredTag,
    ScanSettings,
    Severity,
    Sizes,
    Stage,
)

__all__ = [
    "Account",
    "AccountsError",
    "Alerts",
    "Estate",
    "Organization",
    "Problem",
    "RequiredTag",
    "ScanSettings",
    "Severity",
    "Sizes",
    "Stage",
    "default_accounts_dir",
    "load_estate",
]
