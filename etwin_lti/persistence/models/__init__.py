"""All models, imported here so that ``Base.metadata`` is complete (Alembic autogenerate reads it).

Each area keeps its own module; add a line here when you add one.
"""

from etwin_lti.persistence.db import Base

__all__ = ["Base"]
