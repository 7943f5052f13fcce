"""The tool's own RSA keys: the newest signs, retired ones stay published for an overlap period.

Security Framework 1.0, section 6 (key management with rotation): platforms cache our JWKS, so a
retired key must remain in ``/.well-known/jwks.json`` until every cached copy has expired
(``Settings.key_rotation_overlap_days``), then it is dropped.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


class ToolKeyStatus(enum.StrEnum):
    SIGNING = "signing"  # the newest key: signs everything the tool sends
    RETIRING = "retiring"  # replaced; still published until the overlap ends


@dataclass(frozen=True)
class ToolKey:
    kid: str
    created_at: datetime
    status: ToolKeyStatus
    retired_at: datetime | None = None
    drop_after: datetime | None = None  # when a retiring key leaves the JWKS


@dataclass(frozen=True)
class SigningKey:
    """The key that signs now, already loaded.

    ``private_key`` is the adapter's parsed key object, opaque here: PyJWT and pylti1p3 sign with
    it directly, so no signature parses a PEM again (``connectors.loaded_keys``). Never logged,
    never served.
    """

    kid: str
    private_key: Any = field(repr=False, compare=False)
    public_pem: str = field(repr=False)


class ToolKeyStore(Protocol):
    """Implemented by ``connectors.sql_tool_keys.SqlToolKeyStore``."""

    def ensure_signing_key(self) -> ToolKey:
        """Create the first key when there is none (idempotent)."""
        ...

    def signing_key(self) -> SigningKey:
        """The newest key; ``NotFoundError`` before ``ensure_signing_key`` ran."""
        ...

    def public_jwks(self) -> dict[str, Any]:
        """Public keys of the signing and retiring keys, with kid/alg/use."""
        ...

    def rotate(self) -> ToolKey:
        """Add a new signing key, retire the previous one, drop keys past the overlap."""
        ...

    def list_keys(self) -> list[ToolKey]:
        """Newest first; never any key material."""
        ...
