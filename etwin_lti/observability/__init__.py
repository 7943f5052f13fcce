"""Operability (issue 11 item 4): request ids, structured logs and Prometheus metrics.

- ``request_ids``: the id of the HTTP request or task being served, carried into tasks.
- ``logs``: the one logging configuration (``ETWIN_LOG_FORMAT=text|json``).
- ``metrics``: the counters and histograms, and the ``/metrics`` exposition (multiprocess
  under gunicorn when ``PROMETHEUS_MULTIPROC_DIR`` is set).
- ``instrumented``: the use cases that are timed or counted, as bootstrap wires them.

Below the web layer and the adapters (both record into it), above the use cases it wraps
(import-linter ``layers``); see docs/decisions/0022-logs-and-metrics.md.
"""
