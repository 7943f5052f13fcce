"""A passback scene whose LMS does not answer, for the metrics and the task-log tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from etwin_lti.domain.launches import Resource, ResourceKind, ServiceEndpoints
from etwin_lti.lti import ags
from etwin_lti.persistence.models.registrations import PlatformRow
from tests.conftest import make_test_app, settle
from tests.integration.passback.conftest import LINEITEM, Scene, build_scene


@pytest.fixture
def scene(app_sqlite_url: str, tmp_path: Path) -> Iterator[Scene]:
    app = make_test_app(app_sqlite_url, tmp_path)
    yield build_scene(app)
    settle(app)


def unreachable_lms(scene: Scene) -> None:
    """The link lets the tool send scores, and the LMS token endpoint refuses connections at
    once (a closed port): every attempt fails and is retried."""
    c = scene.container
    with c.database.session() as s:
        s.execute(
            update(PlatformRow)
            .where(PlatformRow.id == scene.platform_id)
            .values(auth_token_url="http://127.0.0.1:9/token")
        )
    scene.link(
        Resource(ResourceKind.UNIT, scene.unit_id),
        ServiceEndpoints(lineitem_url=LINEITEM, ags_scopes=(ags.SCOPE_SCORE,)),
        scene.person_id,
    )
