"""Erasure and uploaded files (issue 12): a person's files are deleted, rows and stored bytes;
their links and the files of others stay; the export lists the files."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

from etwin_lti.services.uploads import add_uploaded_material
from tests.integration.privacy.world import World
from tests.support import sample_files as sf

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def _stored(world: World) -> list[Path]:
    root = Path(world.app.instance_path) / "files"
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_erase_deletes_the_persons_files_and_keeps_others(world: World) -> None:
    hub = world.container.hub
    photo = add_uploaded_material(
        hub, world.sara, world.twinspace_id, "Sara's photo", io.BytesIO(sf.jpeg_with_gps()), "s.jpg"
    )
    other = add_uploaded_material(
        hub, world.tom, world.twinspace_id, "Tom's plan", io.BytesIO(sf.pdf()), "plan.pdf"
    )
    assert len(_stored(world)) == 3  # the photo, its thumbnail, the plan
    exported = world.privacy.export(world.sara, now=NOW)
    assert [m["file"]["filename"] for m in exported["materials"] if m["file"]] == ["s.jpg"]

    result = world.privacy.erase(world.sara, now=NOW)
    assert result.counts.files_deleted == 1
    left = hub.list_materials(world.twinspace_id, viewer_id=world.tom)
    assert photo.id not in {m.id for m in left} and other.id in {m.id for m in left}
    assert len(_stored(world)) == 1
    with hub.open_material_file(world.twinspace_id, other.id, viewer_id=world.tom).body as body:
        assert body.read() == sf.pdf()
    again = world.privacy.erase(world.sara, now=NOW)
    assert again.already_erased
