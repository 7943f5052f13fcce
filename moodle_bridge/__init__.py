"""Everything Moodle-specific: web-service client, completion polling, Common Cartridge export."""
