"""``FileStore``: where the bytes of uploaded files live, by key.

Two adapters (``connectors.file_stores``) pass one contract suite
(``tests/contract/test_file_stores.py``): a folder under the instance path (the embedded
default) and S3-compatible object storage shared by every instance (production).

Rules every store keeps:
- ``put`` is atomic: the key holds the whole stream or nothing. A stream that raises half-way
  (an interrupted upload) leaves no object and no partial file behind, and the error goes on.
- ``open`` gives a readable, seekable binary stream (``seek`` then ``read`` is how range
  requests are served); the caller closes it.
- an unknown key is ``StoredFileMissingError``; ``delete`` of an unknown key is no error (erase
  and clean-up run again safely).
- keys are the hub's random tokens (``[A-Za-z0-9_-]``); a store refuses any other key.
"""

from __future__ import annotations

from typing import BinaryIO, Protocol

from etwin_lti.domain.translatable import N_
from etwin_lti.errors import NotFoundError


class StoredFileMissingError(NotFoundError):
    error = "file_missing"
    description = N_("The file of this material is missing from the file store.")
    who_can_fix = N_("the tool administrator (the file store lost this file)")


class FileStore(Protocol):
    def put(self, key: str, stream: BinaryIO) -> int:
        """Store everything ``stream`` reads to its end under ``key``; returns the byte count."""
        ...

    def open(self, key: str) -> BinaryIO: ...

    def size(self, key: str) -> int: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...
