"""moodle wire formats."""
