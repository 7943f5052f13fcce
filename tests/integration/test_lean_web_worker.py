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

ROOT = Path(__file__).resolve().parents[2]
NOT_AT_START = ("fpdf", "fontTools", "segno", "boto3")


def test_building_the_wsgi_app_imports_no_pdf_or_s3_library(tmp_path: Path) -> None:
    script = (
        "import json, sys; import etwin_lti.wsgi; "
        "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(ROOT),
        "ETWIN_INSTANCE_PATH": str(tmp_path),  # the embedded defaults, as `make run` has them
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(result.stdout.splitlines()[-1]))
    assert "flask" in loaded  # the script did build the app
    assert loaded.isdisjoint(NOT_AT_START), sorted(loaded & set(NOT_AT_START))
