"""The login state, carried by the browser: Security Framework 1.0, section 5.1.1.1
(https://www.imsglobal.org/spec/security/v1p0/#step-2-authentication-request) lets the tool bind
``state`` and ``nonce`` to the browser however it likes.

The tool seals ``{state, nonce, platform}`` into the state cookie (Fernet: AES-128-CBC plus
HMAC-SHA256, with a key derived from ``ETWIN_SECRET_KEY``), so an anonymous ``/lti/login``
writes nothing anywhere: no database row, no cache entry, whoever floods it. The server-side
half of the guarantee moves to the launch: the state is marked used there (the shared cache)
before the id_token is checked, so a state cookie opens one launch only, and the id_token's own
replay mark still refuses a token seen before. Sans-IO: the key and the time are parameters.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"etwin-lti login state v1"
MAX_COOKIE_LENGTH = 1024  # far above a real sealed state: refuse anything bigger unread


@dataclass(frozen=True)
class LoginState:
    state: str  # also sent to the platform, which posts it back with the id_token
    nonce: str  # also sent to the platform, which puts it in the id_token
    platform_id: int


class LoginStateExpired(Exception):
    """The sealed state is genuine but older than its time to live."""


class LoginStateInvalid(Exception):
    """The cookie was not sealed by this tool (forged, truncated or from another key)."""


class LoginStateSealer:
    def __init__(self, secret_key: str, *, ttl_seconds: int) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
            secret_key.encode()
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))
        self._ttl = ttl_seconds

    def seal(self, login: LoginState, *, now: datetime) -> str:
        body = json.dumps({"s": login.state, "n": login.nonce, "p": login.platform_id})
        return self._fernet.encrypt_at_time(body.encode(), int(now.timestamp())).decode()

    def open(self, sealed: str, *, now: datetime) -> LoginState:
        if len(sealed) > MAX_COOKIE_LENGTH:
            raise LoginStateInvalid()
        at = int(now.timestamp())
        try:
            raw = self._fernet.decrypt_at_time(sealed.encode(), self._ttl, at)
        except InvalidToken:
            # Fernet says "invalid" for an expired token too; tell the two apart for the page.
            if self._genuine_but_old(sealed, at):
                raise LoginStateExpired() from None
            raise LoginStateInvalid() from None
        body = json.loads(raw)
        return LoginState(state=str(body["s"]), nonce=str(body["n"]), platform_id=int(body["p"]))

    def _genuine_but_old(self, sealed: str, at: int) -> bool:
        try:
            self._fernet.decrypt_at_time(sealed.encode(), 10 * 365 * 24 * 3600, at)
        except (InvalidToken, binascii.Error, ValueError):
            return False
        return True
