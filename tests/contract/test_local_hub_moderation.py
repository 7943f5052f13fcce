"""Editing and deleting a TwinSpace page: its author or a teacher administrator of that
TwinSpace only, the page checked against the TwinSpace named, each change audited."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from connectors.local_hub import LocalHub
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.model import TwinSpaceRole as R
from etwin_lti.errors import NotFoundError, PermissionDeniedError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.audit import AuditRow
from tests.contract.hub_contract.builders import space


@pytest.fixture
def hub(database_url: str) -> Iterator[LocalHub]:
    database = Database(database_url)
    hub = LocalHub(database)
    hub.seed_countries()
    yield hub
    database.dispose()


def test_author_edits_pupil_refused_admin_deletes(hub: LocalHub) -> None:
    s = space(hub)
    author, other = s.members[R.TEACHER], s.members[R.PUPIL]
    page = hub.add_page(author, s.id, "Our town", "draft")
    assert hub.edit_page(author, s.id, page.id, "Our town", "final").body == "final"
    with pytest.raises(PermissionDeniedError):
        hub.edit_page(other, s.id, page.id, "Mine", "taken")
    elsewhere = space(hub)
    with pytest.raises(PermissionDeniedError):
        hub.delete_page(elsewhere.admin, s.id, page.id)  # no member of this TwinSpace
    with pytest.raises(NotFoundError):
        hub.delete_page(elsewhere.admin, elsewhere.id, page.id)  # page of another space
    hub.delete_page(s.admin, s.id, page.id)
    assert hub.list_pages(s.id, viewer_id=author) == []
    with hub._db.session() as session:
        actions = session.scalars(
            select(AuditRow.action).where(AuditRow.subject_kind == "page")
        ).all()
    assert actions == [AuditAction.CONTENT_EDITED.value, AuditAction.CONTENT_DELETED.value]
