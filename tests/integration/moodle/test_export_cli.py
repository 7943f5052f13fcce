"""``etwin-lti export cc``: happy path, unknown edition, edition without units."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

from click.testing import CliRunner
from flask import Flask

from etwin_lti.cli import CliState, main


def test_export_cc(app: Flask, tmp_path: Path) -> None:
    hub = app.extensions["etwin"].hub
    edition = hub.create_edition("Course 2026", 2026, date(2026, 1, 1), date(2026, 6, 30))
    empty = hub.create_edition("Empty", 2026, date(2026, 1, 1), date(2026, 6, 30))
    for title in ("Unit 1", "Unit 2", "Unit 3"):
        hub.add_unit(edition.id, title, "summary")
    output = tmp_path / "course.imscc"
    runner = CliRunner()

    result = runner.invoke(
        main, ["export", "cc", str(edition.id), "--output", str(output)], obj=CliState(app)
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(output) as archive:
        names = archive.namelist()
    assert names[0] == "imsmanifest.xml" and len(names) == 4

    for edition_id, message in ((9999, "edition"), (empty.id, "no units")):
        target = tmp_path / f"e{edition_id}.imscc"
        refused = runner.invoke(
            main, ["export", "cc", str(edition_id), "--output", str(target)], obj=CliState(app)
        )
        assert refused.exit_code == 1 and message in refused.output.lower()
        assert not target.exists()
