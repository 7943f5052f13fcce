"""Editing and moderating TwinSpace content over ``/api/v1`` (``etwin_lti.web.api.moderation``)."""

from __future__ import annotations

from connectors.http_hub.base import HttpHubBase
from etwin_lti.domain.model import Visibility
from etwin_lti.domain.moderation import ContentKind, ContentState, ModerationEntry
from etwin_lti.errors import InvalidInputError
from schemas.api.moderation import ContentStateSchema, ModerationEntrySchema


class ModerationArea(HttpHubBase):
    def _content(self, twinspace_id: int, kind: ContentKind, content_id: int) -> str:
        # Checked here: a kind the remote's route does not know is a 422, as locally, not a 404.
        try:
            value = ContentKind(kind).value
        except ValueError:
            raise InvalidInputError(errors={"kind": [f"Unknown value '{kind}'."]}) from None
        return f"/twinspaces/{twinspace_id}/content/{value}/{content_id}"

    def edit_content(
        self,
        actor_id: int,
        twinspace_id: int,
        kind: ContentKind,
        content_id: int,
        *,
        title: str | None = None,
        body: str | None = None,
        url: str | None = None,
    ) -> ContentState:
        payload = {"actor_id": actor_id, "title": title, "body": body, "url": url}
        return self._call(
            "PATCH",
            self._content(twinspace_id, kind, content_id),
            ContentStateSchema(),
            body=payload,
        )

    def delete_content(
        self, actor_id: int, twinspace_id: int, kind: ContentKind, content_id: int
    ) -> None:
        self._call(
            "DELETE",
            self._content(twinspace_id, kind, content_id),
            None,
            body={"actor_id": actor_id},
        )

    def hide_content(
        self, actor_id: int, twinspace_id: int, kind: ContentKind, content_id: int
    ) -> ContentState:
        return self._call(
            "POST",
            self._content(twinspace_id, kind, content_id) + "/hide",
            ContentStateSchema(),
            body={"actor_id": actor_id},
        )

    def restore_content(
        self, actor_id: int, twinspace_id: int, kind: ContentKind, content_id: int
    ) -> ContentState:
        return self._call(
            "POST",
            self._content(twinspace_id, kind, content_id) + "/restore",
            ContentStateSchema(),
            body={"actor_id": actor_id},
        )

    def set_content_visibility(
        self,
        actor_id: int,
        twinspace_id: int,
        kind: ContentKind,
        content_id: int,
        visibility: Visibility,
    ) -> ContentState:
        return self._call(
            "PUT",
            self._content(twinspace_id, kind, content_id) + "/visibility",
            ContentStateSchema(),
            body={"actor_id": actor_id, "visibility": visibility},
        )

    def moderation_log(
        self, actor_id: int, twinspace_id: int, *, limit: int = 20
    ) -> list[ModerationEntry]:
        return self._call(
            "GET",
            f"/twinspaces/{twinspace_id}/moderation",
            ModerationEntrySchema(many=True),
            query={"actor_id": actor_id, "limit": min(max(limit, 1), 100)},
        )
