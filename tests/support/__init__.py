"""Helpers several test modules import: worlds to build, strategies to draw from."""
