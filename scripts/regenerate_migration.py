"""Write the next Alembic revision from the models (``make migration MESSAGE="..."``).

Deployed databases hold data, so revisions are added, never rewritten
(docs/decisions/0013-incremental-migrations.md, superseding 0004): this upgrades an empty SQLite
database to the current head, autogenerates the difference to ``Base.metadata`` as revision
``NNNN`` (the next number) and prints its path. Read it before committing: autogenerate sees
tables and columns, not data — a change that moves data (merging rows, filling a new NOT NULL
column) is written by hand, for SQLite (batch mode) and PostgreSQL alike.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from etwin_lti.persistence.migrate import MIGRATIONS, alembic_config

VERSIONS = MIGRATIONS / "versions"


def next_revision() -> str:
    numbers = [int(p.name[:4]) for p in VERSIONS.glob("[0-9][0-9][0-9][0-9]_*.py")]
    return f"{max(numbers, default=0) + 1:04d}"


def main(message: str) -> None:
    rev_id = next_revision()
    with tempfile.TemporaryDirectory() as tmp:
        config = alembic_config("sqlite:///" + str(Path(tmp) / "head.sqlite"))
        command.upgrade(config, "head")
        command.revision(config, message=message, autogenerate=True, rev_id=rev_id)
    print("wrote", next(VERSIONS.glob(f"{rev_id}_*.py")))


if __name__ == "__main__":
    main(" ".join(sys.argv[1:]) or "schema change")
