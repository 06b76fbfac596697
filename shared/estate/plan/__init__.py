"""Offline runs of the project programs under Pulumi mocks (`estate plan` and tests)."""
