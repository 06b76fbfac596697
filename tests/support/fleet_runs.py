"""scanner-fleet recorded for one account after core, whose outputs it reads (cached).

core runs first for the same account (its own producer, org-iam, faked as the harness does
for a producer that did not run), so the fleet's policies name core's real bucket and key.
"""

from __future__ import annotations

from estate.accounts import Estate
from estate.contracts import CORE, SCANNER_FLEET
from estate.plan.runner import StackRun, run_stack

_RUNS: dict[tuple[str, str], StackRun] = {}


def fleet_stack(estate: Estate, account: str) -> StackRun:
    """The recorded scanner-fleet stack of ``account``."""
    key = (str(estate.directory), account)
    if key not in _RUNS:
        core = run_stack(CORE, estate.account(account), estate)
        _RUNS[key] = run_stack(
            SCANNER_FLEET,
            estate.account(account),
            estate,
            producer_outputs={(core.project, core.stack): core.outputs},
        )
    return _RUNS[key]
