"""estate_scanners."""
