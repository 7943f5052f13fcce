"""Regenerate the initial migration from the models.

The schema has not been released yet, so the project keeps one initial revision and rewrites it
from ``Base.metadata`` whenever a model changes (``make migration``). Once a release ships, new
revisions are added with ``alembic revision --autogenerate`` instead.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from etwin_lti.persistence.migrate import MIGRATIONS, alembic_config

VERSIONS = MIGRATIONS / "versions"


def main() -> None:
    for old in VERSIONS.glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        url = "sqlite:///" + str(Path(tmp) / "empty.sqlite")
        command.revision(
            alembic_config(url), message="initial schema", autogenerate=True, rev_id="0001"
        )
    print("wrote", next(VERSIONS.glob("0001_*.py")))


if __name__ == "__main__":
    main()
