"""Redis databases for the tests, one pair per pytest-xdist worker.

Tests that use Redis empty their database (FLUSHDB), so two workers must never share one: the
cache tests use database 15, the queue tests 14 and the rate-limit tests 13 on the first worker
(or without xdist), 12, 11 and 10 on the second, and so on. A local Redis has 16 databases,
enough for 5 workers.

``ETWIN_TEST_REDIS`` (host:port, default 127.0.0.1:6379) points the tests at another Redis server,
so that two checkouts can run their suites at the same time without emptying each other's data.
"""

from __future__ import annotations

import os

_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_INDEX = int(_WORKER[2:]) if _WORKER.startswith("gw") and _WORKER[2:].isdigit() else 0
if _INDEX > 4:
    raise RuntimeError("the tests' Redis databases allow at most 5 xdist workers")

_SERVER = os.environ.get("ETWIN_TEST_REDIS", "127.0.0.1:6379")

REDIS_CACHE_URL = f"redis://{_SERVER}/{15 - 3 * _INDEX}"
REDIS_QUEUE_URL = f"redis://{_SERVER}/{14 - 3 * _INDEX}"
REDIS_LIMITS_URL = f"redis://{_SERVER}/{13 - 3 * _INDEX}"
