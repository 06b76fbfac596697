"""User-facing failures of the command line: one line, a fix, an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
# A scan that ran but could not judge some resources or regions (ERROR findings), or could
# not list what to judge: distinct from 1 so automation can tell "bad" from "unknown".
EXIT_INCOMPLETE = 3


class UserError(Exception):
    """A mistake the user can fix; printed as one line (or one line per problem), exit 2."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code
