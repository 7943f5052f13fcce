"""Moodle web-service response formats (tolerant: unknown fields are dropped).

Shapes follow the ``*_returns()`` definitions of Moodle's external functions, summarised in
reference/domain-facts.md 3.5; recorded examples live in ``tests/data/moodle/``.
"""
