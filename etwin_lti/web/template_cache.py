"""Templates compiled once per process.

Each Flask app has its own Jinja environment, which compiles every template it renders from
source. One process builds several apps (the CLI, and the test suite one per test), so the
compiled code is kept here, keyed by template name and a checksum of its source: a changed
template is compiled again, never served stale.
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class ProcessBytecodeCache(BytecodeCache):
    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_BYTECODE = ProcessBytecodeCache()
