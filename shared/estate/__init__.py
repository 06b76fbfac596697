"""estate."""
