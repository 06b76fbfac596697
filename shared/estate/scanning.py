"""Hubs and spokes: which scanner fleet scans which account, through which role and id.

Every account has org-iam's read-only ``scanner`` role. The fleet of the account's hub
(``Estate.scan_hub``: the account whose ``scan.targets`` list it, else the account itself)
assumes it from its execution roles, giving the external id below. Everything here is
derived from the account files and ``estate.naming``, never read from a stack: org-iam
deploys before the fleet, so the trust must name the fleet's roles before they exist
(it names them through ``aws:PrincipalArn``, which IAM accepts for roles not yet created).

The scanner fleet names its execution roles with ``fleet_execution_role_name``; a test
holds org-iam's trust and the fleet's roles equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from estate.accounts import Account, Estate
from estate.naming import ProjectNames, ResourceKind
from estate.stack import ORG_IAM_PROJECT
from estate_scanners.s3.sources import required_iam_actions as s3_actions
from estate_scanners.tags.permissions import required_iam_actions as tag_actions

FLEET_PROJECT: Final = "scanner-fleet"
SCANNER_ROLE_PURPOSE: Final = "scanner"
# The fleet's functions that read target accounts, each with its own execution role.
FLEET_FUNCTIONS: Final = ("planner", "s3-analyzer", "tag-checker")


def scanner_actions() -> frozenset[str]:
    """Exactly what the scanner role may do: the S3 analyzer's and the tag checker's reads."""
    return s3_actions() | tag_actions()


def fleet_names(hub: Account) -> ProjectNames:
    """The scanner fleet's names in account ``hub``."""
    return ProjectNames(account=hub.name, account_id=hub.account_id, project=FLEET_PROJECT)


def fleet_execution_role_name(hub: Account, function: str) -> str:
    """The physical name the fleet gives the execution role of ``function`` in ``hub``."""
    if function not in FLEET_FUNCTIONS:
        raise ValueError(
            f"fleet function {function!r} is none of {', '.join(FLEET_FUNCTIONS)}; "
            "add it to estate.scanning.FLEET_FUNCTIONS if it reads target accounts"
        )
    return fleet_names(hub).name(ResourceKind.IAM_ROLE, f"{function}-exec")


def scanner_role_name(target: Account) -> str:
    """The physical name of org-iam's scanner role in ``target``."""
    names = ProjectNames(account=target.name, account_id=target.account_id, project=ORG_IAM_PROJECT)
    return names.name(ResourceKind.IAM_ROLE, SCANNER_ROLE_PURPOSE)


def scan_external_id(hub: Account, target: Account) -> str:
    """The external id the hub's fleet gives when it assumes ``target``'s scanner role.

    Derived, not secret (AWS: an external id is not a secret): it makes each hub/target
    pair's id distinct and explicit, so a role that ever trusts a multi-tenant scanner
    cannot be assumed on another tenant's behalf. A deployment that trusts an outside
    scanner must use that party's id instead.
    """
    return f"estate-scan-{hub.account_id}-{target.account_id}"


@dataclass(frozen=True)
class ScanAccess:
    """How the hub's fleet reaches one target: role to assume, id to give, who may assume."""

    hub: Account
    target: Account

    @property
    def scanner_role_arn(self) -> str:
        """The ARN of the target's scanner role."""
        return f"arn:aws:iam::{self.target.account_id}:role/{scanner_role_name(self.target)}"

    @property
    def external_id(self) -> str:
        """The external id the trust requires."""
        return scan_external_id(self.hub, self.target)

    @property
    def trusted_role_arns(self) -> tuple[str, ...]:
        """The hub fleet's execution roles: the only principals the scanner role trusts."""
        return tuple(
            f"arn:aws:iam::{self.hub.account_id}:role/{fleet_execution_role_name(self.hub, fn)}"
            for fn in FLEET_FUNCTIONS
        )


def access_to(estate: Estate, target: str) -> ScanAccess:
    """How ``target`` is scanned: by its hub's fleet (itself when no hub lists it)."""
    return ScanAccess(hub=estate.scan_hub(target), target=estate.account(target))


def accesses_from(estate: Estate, hub: str) -> tuple[ScanAccess, ...]:
    """Every account the fleet of ``hub`` scans, itself first when it scans itself."""
    return tuple(
        ScanAccess(hub=estate.account(hub), target=target) for target in estate.scanned_by(hub)
    )
