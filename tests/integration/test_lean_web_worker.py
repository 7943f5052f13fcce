"""What a web worker imports to serve launches (issue 11: web worker RSS <= 150 MiB). The PDF
certificate's fpdf2 and its font tools (~30 MiB) and boto3 (~8 MiB, S3 deployments only) are
imported by the code that uses them, not when the app is built: a fresh interpreter builds the
WSGI app as gunicorn does and lists what it loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
NOT_AT_START = ("fpdf", "fontTools", "segno", "boto3")


def _in_a_fresh_worker(tmp_path: Path, expression: str) -> Any:
    """``expression``'s value (JSON) in a fresh interpreter that built the WSGI app."""
    script = f"import gc, json, sys; import etwin_lti.wsgi; print(json.dumps({expression}))"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "ETWIN_INSTANCE_PATH": str(tmp_path),  # the embedded defaults, as `make run` has them
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_building_the_wsgi_app_imports_no_pdf_or_s3_library(tmp_path: Path) -> None:
    modules = _in_a_fresh_worker(tmp_path, "sorted({n.split('.')[0] for n in sys.modules})")
    loaded = set(modules)
    assert "flask" in loaded  # the script did build the app
    assert loaded.isdisjoint(NOT_AT_START), sorted(loaded & set(NOT_AT_START))


def test_the_built_app_is_kept_out_of_the_collectors_walks(tmp_path: Path) -> None:
    """``etwin_lti.start_up_heap``: what the worker built is frozen (never walked by a full
    collection), and nothing is left in the generations the collector scans but what the
    import of the script itself made."""
    frozen, tracked = _in_a_fresh_worker(tmp_path, "[gc.get_freeze_count(), len(gc.get_objects())]")
    assert frozen > 100_000
    assert tracked < frozen / 100
