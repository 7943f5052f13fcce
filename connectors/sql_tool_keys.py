"""``ToolKeyStore`` in the tool's database: RSA-2048 keys, the private half never leaves here
except to sign. Rotation keeps the old key published for the overlap period, then drops it.
The signing key is parsed once per kid and handed out loaded (``connectors.loaded_keys``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import delete, select

from connectors.loaded_keys import LoadedKeyCache
from etwin_lti.domain.tool_keys import SigningKey, ToolKey, ToolKeyStatus
from etwin_lti.errors import NotFoundError
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.lti import ToolKeyRow

KEY_BITS = 2048


class SqlToolKeyStore:
    def __init__(
        self,
        database: Database,
        *,
        overlap_days: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        loaded_keys: LoadedKeyCache | None = None,
    ) -> None:
        self._db = database
        self._overlap = timedelta(days=overlap_days)
        self._clock = clock
        self._loaded = LoadedKeyCache() if loaded_keys is None else loaded_keys

    def ensure_signing_key(self) -> ToolKey:
        with self._db.session() as session:
            row = session.scalars(self._active()).first()
            if row is None:
                row = self._new_row()
                session.add(row)
            return self._to_key(row)

    def signing_key(self) -> SigningKey:
        with self._db.session() as session:
            row = session.scalars(self._active()).first()
            if row is None:
                raise NotFoundError(
                    "The tool has no signing key yet.",
                    who_can_fix="the tool administrator (etwin-lti db upgrade)",
                )
            # The row is still read every time, so a rotation by another process is seen at
            # once; only the parse is cached, by kid (a new key is a new kid).
            loaded = self._loaded.get(row.kid, row.private_pem)
            return SigningKey(row.kid, private_key=loaded.private_key, public_pem=loaded.public_pem)

    def public_jwks(self) -> dict[str, Any]:
        with self._db.session() as session:
            rows = session.scalars(select(ToolKeyRow).order_by(ToolKeyRow.id.desc())).all()
            published = [r for r in rows if self._published(r)]
            return {"keys": [json.loads(r.public_jwk) for r in published]}

    def rotate(self) -> ToolKey:
        now = self._clock()
        with self._db.session() as session:
            for row in session.scalars(self._active()):
                row.retired_at = now
            session.execute(delete(ToolKeyRow).where(ToolKeyRow.retired_at < now - self._overlap))
            row = self._new_row()
            session.add(row)
            key = self._to_key(row)
            kids = set(session.scalars(select(ToolKeyRow.kid)))
        self._loaded.retain(kids)  # dropped keys leave this process's memory too
        return key

    def list_keys(self) -> list[ToolKey]:
        with self._db.session() as session:
            rows = session.scalars(select(ToolKeyRow).order_by(ToolKeyRow.id.desc())).all()
            return [self._to_key(r) for r in rows if self._published(r)]

    def _active(self):
        return (
            select(ToolKeyRow).where(ToolKeyRow.retired_at.is_(None)).order_by(ToolKeyRow.id.desc())
        )

    def _published(self, row: ToolKeyRow) -> bool:
        return row.retired_at is None or row.retired_at + self._overlap > self._clock()

    def _new_row(self) -> ToolKeyRow:
        private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        # kid = the RFC 7638 thumbprint, which is also what pylti1p3's Registration.get_kid()
        # computes, so messages it signs for us name the key we publish.
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        kid = JWK.from_pem(public_pem).thumbprint()
        jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
        jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return ToolKeyRow(
            kid=kid, private_pem=pem, public_jwk=json.dumps(jwk), created_at=self._clock()
        )

    def _to_key(self, row: ToolKeyRow) -> ToolKey:
        retired = row.retired_at if row.retired_at else None
        return ToolKey(
            kid=row.kid,
            created_at=row.created_at,
            status=ToolKeyStatus.RETIRING if retired else ToolKeyStatus.SIGNING,
            retired_at=retired,
            drop_after=retired + self._overlap if retired else None,
        )
