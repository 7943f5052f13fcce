"""Benchmarks (``etwin-lti bench``): each module is runnable as ``python -m bench.<name>``.

Speed is measured here, never asserted in tests; every figure is printed next to a baseline
measured in the same run (docs/benchmarks.md).
"""
