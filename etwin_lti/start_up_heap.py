"""Keep the start-up heap out of the garbage collector's walks (production processes only).

A web or queue worker builds its app once: hundreds of thousands of long-lived objects (modules,
the Jinja environment, the message catalogs, SQLAlchemy's mappers). Python's full collections
walk all of them again and again while a launch or a roster sync allocates; the roster bench
measured about half of a 10,000-member sync's CPU in those walks (ADR 0037). ``gc.freeze()``
moves what exists now into a generation the collector never scans: still alive, never walked.

Called by the production entry points (``etwin_lti.wsgi`` and ``etwin-lti worker``) after the
app is built, never by ``create_app``: tests build many apps in one process, and frozen objects
are never freed, so a test process would keep every app it ever built.
"""

from __future__ import annotations

import gc


def freeze_start_up_heap() -> None:
    # Collect first: the start-up's own garbage (import-time cycles) would otherwise be kept
    # for the life of the process.
    gc.collect()
    gc.freeze()
