"""Marshmallow schemas for every wire format, grouped by whose format it is."""
