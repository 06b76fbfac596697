"""The one error every IAM policy refusal raises."""


class PolicyError(ValueError):
    """A policy the generator refuses to write; the message names the statement, value and fix."""
