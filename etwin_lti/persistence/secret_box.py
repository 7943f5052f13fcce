"""``SecretBox``: secrets at rest (tool private keys, LMS access tokens, Moodle tokens).

Fernet (AES-128-CBC + HMAC-SHA256, ``cryptography``) under a ``MultiFernet``: the first key of
``ETWIN_ENCRYPTION_KEYS`` encrypts, every key decrypts, so a rotation is "put the new key first,
keep the old one, run ``etwin-lti keys reencrypt``, then drop the old one" (README). The embedded
default is a key generated into the instance folder (``encryption_key``, 0600): a stolen
database file alone then reveals no secret, but the instance folder as a whole does; production
sets the keys in the environment, away from the database backups.

``legacy`` keys decrypt only: Moodle tokens were once encrypted with a key derived from
``ETWIN_SECRET_KEY`` (``moodle_bridge.sites.legacy_token_key``); ``reencrypt`` moves them.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from etwin_lti.domain.translatable import N_
from etwin_lti.errors import ConfigurationError

FERNET_PREFIX = "gAAAAA"  # every Fernet token starts with version byte 0x80 and a timestamp


class SecretDecryptionError(ConfigurationError):
    error = "secret_undecryptable"
    description = N_("A stored secret cannot be decrypted with the configured encryption keys.")
    who_can_fix = N_("the tool administrator (ETWIN_ENCRYPTION_KEYS must still list the old key)")


class SecretBox:
    def __init__(self, keys: Sequence[str | bytes], *, legacy: Sequence[str | bytes] = ()) -> None:
        if not keys:
            raise ConfigurationError("ETWIN_ENCRYPTION_KEYS needs at least one key.")
        try:
            fernets = [Fernet(k) for k in [*keys, *legacy]]
        except ValueError as error:
            raise ConfigurationError(
                "Each ETWIN_ENCRYPTION_KEYS entry must be a Fernet key (32 url-safe base64 bytes; "
                "make one with: etwin-lti keys new-encryption-key)."
            ) from error
        self._current = fernets[0]
        self._all = MultiFernet(fernets)

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode("ascii")

    def encrypt(self, plain: str) -> str:
        return self._current.encrypt(plain.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._all.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError) as error:
            raise SecretDecryptionError(
                "A stored secret cannot be decrypted: was a key removed from "
                "ETWIN_ENCRYPTION_KEYS before `etwin-lti keys reencrypt` ran?"
            ) from error

    def encrypt_bytes(self, plain: bytes) -> bytes:
        return self._current.encrypt(plain)

    def decrypt_bytes(self, token: bytes) -> bytes | None:
        """None when no key opens it (a cache entry from before a rotation: refetch it)."""
        try:
            return self._all.decrypt(token)
        except InvalidToken:
            return None

    def reencrypted(self, stored: str) -> str | None:
        """``stored`` under the current key, or None when it is already there. Plain text
        (a row written before encryption at rest) is encrypted."""
        if not stored.startswith(FERNET_PREFIX):
            return self.encrypt(stored)
        try:
            fresh = self._all.rotate(stored.encode("ascii")).decode("ascii")
        except InvalidToken as error:
            raise SecretDecryptionError(
                "A stored secret cannot be decrypted with any configured key."
            ) from error
        # rotate() always makes a new token; keep rows already under the current key as they are.
        try:
            self._current.decrypt(stored.encode("ascii"))
        except InvalidToken:
            return fresh
        return None

    def open_stored(self, stored: str) -> str:
        """Decrypt a column that may still hold a plain value from before encryption at rest."""
        return stored if not stored.startswith(FERNET_PREFIX) else self.decrypt(stored)
