"""All models, imported here so that ``Base.metadata`` is complete (Alembic autogenerate reads it).

Each area keeps its own module; add a line here when you add one.
"""

from etwin_lti.persistence.db import Base
from etwin_lti.persistence.models import (
    api_tokens,  # noqa: F401
    audit,  # noqa: F401
    bindings,  # noqa: F401
    chat,  # noqa: F401
    hub,  # noqa: F401
    lti,  # noqa: F401
    moodle,  # noqa: F401
    passback,  # noqa: F401
    privacy,  # noqa: F401
    registrations,  # noqa: F401
    resource_links,  # noqa: F401
    teacher_linking,  # noqa: F401
)

__all__ = ["Base"]
