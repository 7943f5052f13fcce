"""A small shared key-value cache with expiry, behind a port.

State, nonce, replay marks and platform key sets must be shared by every worker and every
instance (DESIGN.md "Real parts"), so they live here rather than in process memory. Two adapters
pass the same contract suite (``tests/contract/test_kv_cache.py``):
``connectors.kv_cache.SqlKeyValueCache`` (the embedded default, in the tool's database) and
``connectors.kv_cache.RedisKeyValueCache`` (when ``ETWIN_REDIS_URL`` is set).
"""

from __future__ import annotations

from typing import Protocol


class KeyValueCache(Protocol):
    def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""
        ...

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        """Store or replace."""
        ...

    def add(self, key: str, value: bytes, ttl_seconds: int) -> bool:
        """Store only when absent (or expired), atomically; True when this call stored it.
        Used to remember "seen once" marks such as an id_token's hash."""
        ...

    def consume(self, key: str) -> bytes | None:
        """Atomically read and delete: of two concurrent calls, at most one gets the value.
        Used for single-use login state and nonce."""
        ...

    def delete(self, key: str) -> None: ...
