"""Editing and moderating TwinSpace content: ``/api/v1/twinspaces/{id}/content/{kind}/{id}``.

Acting for a person (``actor_id``), so admin tokens only, like every write of the API; the hub
decides whether that person may (the author, or a teacher administrator of that TwinSpace).
"""

from __future__ import annotations

from typing import Any

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.domain.moderation import ContentKind
from etwin_lti.web.api.auth import hub, requires
from etwin_lti.web.api.parsing import ApiBlueprint
from schemas.api.common import ActorSchema
from schemas.api.moderation import (
    ContentEditSchema,
    ContentStateSchema,
    ModerationEntrySchema,
    ModerationLogQuery,
    VisibilityChangeSchema,
)

bp = ApiBlueprint(
    "api_moderation",
    __name__,
    url_prefix="/api/v1",
    description="Editing and moderating TwinSpace content",
)
KINDS = ", ".join(k.value for k in ContentKind)
CONTENT = f"/twinspaces/<int:twinspace_id>/content/<any({KINDS}):kind>/<int:content_id>"


@bp.patch(CONTENT)
@requires(ApiPermission.WRITE)
@bp.arguments(ContentEditSchema)
@bp.response(200, ContentStateSchema)
def edit_content(body: dict[str, Any], twinspace_id: int, kind: str, content_id: int) -> Any:
    """The author only; send just the fields that change."""
    return hub().edit_content(
        body["actor_id"],
        twinspace_id,
        ContentKind(kind),
        content_id,
        title=body["title"],
        body=body["body"],
        url=body["url"],
    )


@bp.delete(CONTENT)
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(204)
def delete_content(body: dict[str, Any], twinspace_id: int, kind: str, content_id: int) -> Any:
    """The author or a teacher administrator of the TwinSpace."""
    hub().delete_content(body["actor_id"], twinspace_id, ContentKind(kind), content_id)
    return None


@bp.post(CONTENT + "/hide")
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(200, ContentStateSchema)
def hide_content(body: dict[str, Any], twinspace_id: int, kind: str, content_id: int) -> Any:
    """A teacher administrator of the TwinSpace; then only they see it."""
    return hub().hide_content(body["actor_id"], twinspace_id, ContentKind(kind), content_id)


@bp.post(CONTENT + "/restore")
@requires(ApiPermission.WRITE)
@bp.arguments(ActorSchema)
@bp.response(200, ContentStateSchema)
def restore_content(body: dict[str, Any], twinspace_id: int, kind: str, content_id: int) -> Any:
    return hub().restore_content(body["actor_id"], twinspace_id, ContentKind(kind), content_id)


@bp.put(CONTENT + "/visibility")
@requires(ApiPermission.WRITE)
@bp.arguments(VisibilityChangeSchema)
@bp.response(200, ContentStateSchema)
def set_content_visibility(
    body: dict[str, Any], twinspace_id: int, kind: str, content_id: int
) -> Any:
    """Pages and materials: a teacher administrator publishes a pupil's work, or anyone's."""
    return hub().set_content_visibility(
        body["actor_id"], twinspace_id, ContentKind(kind), content_id, body["visibility"]
    )


@bp.get("/twinspaces/<int:twinspace_id>/moderation")
@requires(ApiPermission.WRITE)  # read as a person: admin tokens only, like viewer_id
@bp.arguments(ModerationLogQuery, location="query")
@bp.response(200, ModerationEntrySchema(many=True))
def moderation_log(query: dict[str, Any], twinspace_id: int) -> Any:
    """The TwinSpace's moderation trail, newest first, for its teacher administrators."""
    return hub().moderation_log(query["actor_id"], twinspace_id, limit=query["limit"])
