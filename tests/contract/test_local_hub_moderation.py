"""What only the local hub shows of moderation: each accepted change is one audit row written
with it (the contract suite, ``hub_contract/moderation.py``, checks the rules on both hubs)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from connectors.local_hub import LocalHub
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.model import TwinSpaceRole as R
from etwin_lti.domain.model import Visibility
from etwin_lti.domain.moderation import ContentKind as K
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


def _audited(hub: LocalHub, page_id: int) -> list[tuple[str, str, dict[str, str]]]:
    with hub._db.session() as session:
        rows = session.scalars(
            select(AuditRow)
            .where(AuditRow.subject_kind == "page", AuditRow.subject_id == str(page_id))
            .order_by(AuditRow.id)
        ).all()
        return [(row.action, row.actor, dict(row.details)) for row in rows]


def test_each_change_is_audited_with_it_and_refusals_are_not(hub: LocalHub) -> None:
    s = space(hub)
    author, other = s.members[R.TEACHER], s.members[R.PUPIL]
    page = hub.add_page(author, s.id, "Our town", "draft", visibility=Visibility.PRIVATE)
    hub.edit_content(author, s.id, K.PAGE, page.id, body="final")
    with pytest.raises(PermissionDeniedError):
        hub.edit_content(other, s.id, K.PAGE, page.id, title="Mine")
    elsewhere = space(hub)
    with pytest.raises(PermissionDeniedError):
        hub.delete_content(elsewhere.admin, s.id, K.PAGE, page.id)  # no member of this space
    with pytest.raises(NotFoundError):
        hub.delete_content(elsewhere.admin, elsewhere.id, K.PAGE, page.id)  # another space's
    hub.hide_content(s.admin, s.id, K.PAGE, page.id)
    hub.restore_content(s.admin, s.id, K.PAGE, page.id)
    hub.set_content_visibility(s.admin, s.id, K.PAGE, page.id, Visibility.PUBLIC)
    hub.delete_content(s.admin, s.id, K.PAGE, page.id)
    where = {"twinspace_id": str(s.id)}
    assert _audited(hub, page.id) == [
        (
            AuditAction.CONTENT_EDITED.value,
            f"person:{author}",
            where | {"by": str(author), "fields": "body"},
        ),
        (AuditAction.CONTENT_HIDDEN.value, f"person:{s.admin}", where | {"by": str(s.admin)}),
        (AuditAction.CONTENT_RESTORED.value, f"person:{s.admin}", where | {"by": str(s.admin)}),
        (
            AuditAction.CONTENT_VISIBILITY_CHANGED.value,
            f"person:{s.admin}",
            where | {"by": str(s.admin), "visibility": "public"},
        ),
        (AuditAction.CONTENT_DELETED.value, f"person:{s.admin}", where | {"by": str(s.admin)}),
    ]
    assert hub.list_pages(s.id, viewer_id=author) == []
