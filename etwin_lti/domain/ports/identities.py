"""The port linking LTI identities to hub people."""

from __future__ import annotations

from typing import Protocol


class IdentityStore(Protocol):
    """Links an LTI identity (issuer, deployment, sub) to a hub person.

    Implemented by ``connectors.sql_identities.SqlIdentityStore``. Moodle users are matched to
    hub people through this link (issuer + sub = Moodle user id), never by e-mail.
    """

    def find_person(self, issuer: str, sub: str, deployment_id: str | None = None) -> int | None:
        """With ``deployment_id`` None, any deployment of that issuer."""
        ...

    def link(self, issuer: str, deployment_id: str, sub: str, person_id: int) -> None: ...

    def unlink_person(self, person_id: int) -> int:
        """Remove every link of a person (privacy erase); returns how many were removed."""
        ...
