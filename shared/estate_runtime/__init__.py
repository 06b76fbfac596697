"""estate_runtime."""
