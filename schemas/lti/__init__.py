"""lti wire formats."""
