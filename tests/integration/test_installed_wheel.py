"""The four top-level packages, their data files and the console script ship in the wheel."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("etwin_lti-*.whl"))


def test_wheel_holds_the_packages_and_their_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in ("etwin_lti", "connectors", "moodle_bridge", "schemas"):
        assert f"{package}/__init__.py" in names
    assert "etwin_lti/web/templates/base.html" in names
    assert "etwin_lti/data/fonts/DejaVuSans.ttf" in names  # the certificate's font
    for language in ("es", "fr"):  # compiled catalogs ship: no build step after install
        assert f"etwin_lti/translations/{language}/LC_MESSAGES/messages.mo" in names
    assert "etwin_lti/persistence/migrations/env.py" in names
    assert any(n.startswith("etwin_lti/persistence/migrations/versions/0001_") for n in names)
    assert not any(n.startswith("tests/") for n in names)


def test_packages_import_from_the_installed_wheel(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    code = (
        "import etwin_lti, connectors, moodle_bridge, schemas, sys;"
        "paths = [m.__file__ for m in (etwin_lti, connectors, moodle_bridge, schemas)];"
        f"assert all(p.startswith({str(target)!r}) for p in paths), paths;"
        "from etwin_lti.cli import main; print('ok')"
    )
    # -I isolates from the working tree (and its editable install) while keeping site-packages
    # for the dependencies; the wheel's copy comes first on the path.
    result = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(target)!r}); {code}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
