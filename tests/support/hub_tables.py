"""A full dump of the local hub's tables: "nothing was written" and "nothing new was created"."""

from __future__ import annotations

from sqlalchemy import select

import etwin_lti.persistence.models.chat as chat_models
import etwin_lti.persistence.models.hub as hub_models
from etwin_lti.persistence.db import Base, Database
from etwin_lti.persistence.models.audit import AuditRow

HUB_TABLES = sorted(
    # The audit log too: a refused call must not leave an entry either.
    [
        *(
            model.__table__
            for module in (hub_models, chat_models)
            for model in vars(module).values()
            if isinstance(model, type) and issubclass(model, Base) and model is not Base
        ),
        AuditRow.__table__,
    ],
    key=lambda table: table.name,
)


def dump(database: Database) -> dict[str, list[tuple[object, ...]]]:
    with database.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in HUB_TABLES
        }
