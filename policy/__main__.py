"""The estate's CrossGuard policy pack: constructing PolicyPack starts the analyzer server,
so it happens here only (tests call each rule's `validate`, and `estate plan` runs them
over the mocked resources through estate.policy.evaluate)."""

from pulumi_policy import EnforcementLevel, PolicyPack

from estate.accounts import load_estate
from estate.policy.registry import PACK_NAME, build_policies

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(load_estate()),
)
