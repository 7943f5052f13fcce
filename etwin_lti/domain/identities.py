"""Who an LMS user is to the tool: an LTI identity (issuer, ``sub``) and the port that links it
to one hub person.

LTI Core 1.3, 5.3.6 (https://www.imsglobal.org/spec/lti/v1p3/#user-identity-claims): ``sub`` is
"stable" and "locally unique to the iss" — so one platform user is one person whatever tool
registration (client id) or deployment they came through (DESIGN.md "People"). The deployment
of a link is only where the user was first seen. A person's kind (teacher, pupil, visitor) is
decided once, at the first launch or roster sync, and kept beside the link: it never flips, and
the launch reads it with the link instead of asking the hub again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from etwin_lti.domain.model import PersonKind


@dataclass(frozen=True)
class LtiIdentity:
    issuer: str
    subject: str  # the id_token's ``sub``, NRPS's ``user_id``

    def pseudonym(self, prefix: str) -> str:
        """Stable per identity, reveals nothing: "Pupil 4F2A"."""
        seed = f"{self.issuer}\n{self.subject}".encode()
        return f"{prefix} {hashlib.sha256(seed).hexdigest()[:4].upper()}"


@dataclass(frozen=True)
class KnownPerson:
    person_id: int
    kind: PersonKind


class IdentityStore(Protocol):
    """(issuer, sub) → hub person. Implemented by ``connectors.sql_identities.SqlIdentityStore``.

    A first link is made in two steps so that two first launches of the same user at the same
    instant make one person and no orphan: ``claim`` reserves the identity (exactly one caller
    wins), the winner creates the person and ``settle``s the claim, the others ``wait`` for it.
    Moodle users are matched through this link (issuer + sub = Moodle user id), never by e-mail.
    """

    def find(self, identity: LtiIdentity) -> KnownPerson | None:
        """The settled link, or None (unknown, or claimed but not settled yet)."""
        ...

    def known(self, issuer: str, subjects: Iterable[str] | None = None) -> dict[str, KnownPerson]:
        """Every settled link of an issuer (or only those ``subjects``) in one query."""
        ...

    def claim(self, identity: LtiIdentity, *, deployment_id: str, kind: PersonKind) -> bool:
        """Reserve a first link; False when someone else holds it (a claim left unsettled for
        long by a crashed request is taken over)."""
        ...

    def claim_many(
        self, claims: Sequence[tuple[LtiIdentity, PersonKind]], *, deployment_id: str
    ) -> set[LtiIdentity]:
        """Reserve many first links at once (one round trip): the identities this caller won.
        Those not returned are held by someone else, live or dead: ``claim`` them one by one
        to take over a dead request's claim, or ``wait``."""
        ...

    def settle(self, identity: LtiIdentity, person_id: int) -> None: ...

    def settle_many(self, links: Mapping[LtiIdentity, int]) -> None:
        """Settle many claims in one transaction."""
        ...

    def release_many(self, identities: Iterable[LtiIdentity]) -> None:
        """Give up unsettled claims (their people could not be created)."""
        ...

    def release(self, identity: LtiIdentity) -> None:
        """Give up an unsettled claim (the person could not be created)."""
        ...

    def wait(self, identity: LtiIdentity, *, timeout_seconds: float) -> KnownPerson | None:
        """The person another request is creating, once it settled (None after the timeout)."""
        ...

    def link(
        self, identity: LtiIdentity, person_id: int, *, deployment_id: str, kind: PersonKind
    ) -> None:
        """Link an existing person directly (a teacher's account linking, the demo)."""
        ...

    def unlink_person(self, person_id: int) -> int:
        """Remove every link of a person (privacy erase); returns how many were removed."""
        ...
