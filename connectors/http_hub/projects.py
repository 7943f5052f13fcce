"""Projects over ``/api/v1``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from connectors.http_hub.base import HttpHubBase
from etwin_lti.domain.model import (
    EducationalLevel,
    PrizeCategory,
    Project,
)
from schemas.api.projects import ProjectSchema


class ProjectsArea(HttpHubBase):
    def create_project(
        self,
        founder_id: int,
        partner_founder_id: int,
        title: str,
        description: str = "",
        *,
        age_band: PrizeCategory | None = None,
    ) -> Project:
        body = {
            "founder_id": founder_id,
            "partner_founder_id": partner_founder_id,
            "title": title,
            "description": description,
            "age_band": age_band,
        }
        return self._call("POST", "/projects", ProjectSchema(), body=body)

    def validate_project(self, nso_country_code: str, project_id: int) -> Project:
        return self._call(
            "POST",
            f"/projects/{project_id}/validations",
            ProjectSchema(),
            body={"nso_country_code": nso_country_code},
        )

    def add_partner(self, actor_id: int, project_id: int, teacher_id: int) -> Project:
        body = {"actor_id": actor_id, "teacher_id": teacher_id}
        return self._call("POST", f"/projects/{project_id}/partners", ProjectSchema(), body=body)

    def close_project(self, actor_id: int, project_id: int) -> Project:
        body = {"actor_id": actor_id}
        return self._call("POST", f"/projects/{project_id}/close", ProjectSchema(), body=body)

    def update_project_profile(
        self,
        actor_id: int,
        project_id: int,
        *,
        description: str,
        subjects: Sequence[str],
        languages: Sequence[str],
        levels: Sequence[EducationalLevel],
    ) -> Project:
        body = {
            "actor_id": actor_id,
            "description": description,
            "subjects": list(subjects),
            "languages": list(languages),
            "levels": list(levels),
        }
        return self._call("PUT", f"/projects/{project_id}/profile", ProjectSchema(), body=body)

    def extend_project(self, actor_id: int, project_id: int, ends_on: date) -> Project:
        body = {"actor_id": actor_id, "ends_on": ends_on}
        return self._call("POST", f"/projects/{project_id}/extend", ProjectSchema(), body=body)

    def get_project(self, project_id: int) -> Project:
        return self._call("GET", f"/projects/{project_id}", ProjectSchema())

    def list_projects(self, *, member_id: int | None = None) -> list[Project]:
        query = {"member_id": member_id}
        return self._call("GET", "/projects", ProjectSchema(many=True), query=query)
