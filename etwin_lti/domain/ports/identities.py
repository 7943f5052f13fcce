"""The port linking LTI identities to hub people: defined beside its value objects in
``etwin_lti.domain.identities`` (``LtiIdentity``, ``KnownPerson``), re-exported here with the
other ports."""

from __future__ import annotations

from etwin_lti.domain.identities import IdentityStore, KnownPerson, LtiIdentity

__all__ = ["IdentityStore", "KnownPerson", "LtiIdentity"]
