"""RSA private keys parsed from PEM once and kept loaded.

Parsing a PEM private key checks the whole RSA key (primes, CRT values): about 40–200 ms here,
against well under a millisecond to sign with the loaded key. Every client assertion, deep-linking
response and registration used to re-parse the key; the store now keeps one loaded key per
``kid``. A kid is the RFC 7638 thumbprint of the public half, so a rotated key is a new entry by
construction, and ``retain`` drops keys that have left the store.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from etwin_lti.domain.translatable import N_

# A seam, not a hook: tests pass a counting parser to prove a key is parsed once.
PemParser = Callable[[bytes], RSAPrivateKey]


def parse_rsa_pem(pem: bytes) -> RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, RSAPrivateKey):
        raise ValueError(N_("the tool signs with RS256: an RSA private key is required"))
    return key


@dataclass(frozen=True)
class LoadedKey:
    private_key: RSAPrivateKey = field(repr=False)
    public_pem: str  # SubjectPublicKeyInfo, what pylti1p3 derives its kid from


class LoadedKeyCache:
    """kid → loaded key; bounded, thread-safe (web threads and the worker share a store)."""

    def __init__(self, parse: PemParser = parse_rsa_pem, *, size: int = 8) -> None:
        self._parse = parse
        self._size = size
        self._keys: OrderedDict[str, LoadedKey] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, kid: str, private_pem: str) -> LoadedKey:
        with self._lock:
            found = self._keys.get(kid)
            if found is not None:
                self._keys.move_to_end(kid)
                return found
        # Parse outside the lock: two threads may both parse a brand-new key once, no one waits.
        private = self._parse(private_pem.encode())
        public_pem = (
            private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        loaded = LoadedKey(private_key=private, public_pem=public_pem)
        with self._lock:
            self._keys[kid] = loaded
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)
        return loaded

    def retain(self, kids: Iterable[str]) -> None:
        """Forget every key but these (after a rotation dropped some)."""
        keep = set(kids)
        with self._lock:
            for kid in [k for k in self._keys if k not in keep]:
                del self._keys[kid]

    def __len__(self) -> int:
        return len(self._keys)
