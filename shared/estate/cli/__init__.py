"""The `estate` command line."""
