"""api wire formats."""
