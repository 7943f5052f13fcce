"""The public project page and the gallery index over ``/api/v1/public``."""

from __future__ import annotations

from connectors.http_hub.base import HttpHubBase
from etwin_lti.domain.public_pages import GALLERY_PAGE_SIZE, PublicProject, PublicProjectList
from schemas.api.public import PublicProjectListSchema, PublicProjectSchema


class PublicArea(HttpHubBase):
    def public_project(self, project_id: int) -> PublicProject:
        return self._call("GET", f"/public/projects/{project_id}", PublicProjectSchema())

    def list_public_projects(
        self, *, offset: int = 0, limit: int = GALLERY_PAGE_SIZE
    ) -> PublicProjectList:
        return self._call(
            "GET",
            "/public/projects",
            PublicProjectListSchema(),
            query={"offset": offset, "limit": limit},
        )
