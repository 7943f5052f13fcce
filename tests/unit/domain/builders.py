"""Domain values for the rule tables: one builder per type, defaults that satisfy the rules, so
that each test row names only what it varies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from etwin_lti.domain.model import Project, ProjectScope, ProjectStatus


def a_project(created_at: datetime, **changes: Any) -> Project:
    """An approved European project of two founders (FR, IT) and one partner, with its
    TwinSpace."""
    values: dict[str, Any] = {
        "id": 7,
        "title": "Rivers",
        "description": "",
        "scope": ProjectScope.EUROPEAN,
        "status": ProjectStatus.APPROVED,
        "founder_ids": (1, 2),
        "founder_countries": ("FR", "IT"),
        "validated_by": ("FR", "IT"),
        "partner_ids": (3,),
        "twinspace_id": 9,
        "age_band": None,
        "created_at": created_at,
    }
    values.update(changes)
    return Project(**values)
