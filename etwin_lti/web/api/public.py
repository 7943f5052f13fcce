"""``/api/v1/public/...``: what the public project page shows, for another instance's
``HttpHubConnector`` (the page itself, ``/projects/<id>/public``, needs no token)."""

from __future__ import annotations

from typing import Any

from etwin_lti.domain.api_tokens import ApiPermission
from etwin_lti.web.api.auth import hub, requires
from etwin_lti.web.api.parsing import ApiBlueprint
from etwin_lti.web.files import file_response
from schemas.api.public import PublicListQuery, PublicProjectListSchema, PublicProjectSchema

bp = ApiBlueprint(
    "api_public",
    __name__,
    url_prefix="/api/v1",
    description="Public project pages and the gallery (only what was made public)",
)


@bp.get("/public/projects")
@requires(ApiPermission.READ)
@bp.arguments(PublicListQuery, location="query")
@bp.response(200, PublicProjectListSchema)
def list_public_projects(query: dict[str, Any]) -> Any:
    """Approved projects with public content, newest approval first."""
    return hub().list_public_projects(offset=query["offset"], limit=query["limit"])


@bp.get("/public/projects/<int:project_id>")
@requires(ApiPermission.READ)
@bp.response(200, PublicProjectSchema)
def public_project(project_id: int) -> Any:
    """404 ``no_public_page`` alike for unknown, pending and never-approved projects."""
    return hub().public_project(project_id)


@bp.get(
    "/public/projects/<int:project_id>/materials/<int:material_id>/<any(file, thumbnail):which>"
)
@requires(ApiPermission.READ)
def open_public_file(project_id: int, material_id: int, which: str) -> Any:
    """A file the public page lists (``Range`` answered with 206); 404 ``no_public_file``
    alike for everything else."""
    thumbnail = which == "thumbnail"
    opened = hub().open_public_file(project_id, material_id, thumbnail=thumbnail)
    return file_response(opened, f"p{material_id}-{'t' if thumbnail else 'f'}-{opened.size}")
