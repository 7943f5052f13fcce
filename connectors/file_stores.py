"""The two ``FileStore`` adapters (``etwin_lti.domain.ports.file_store``).

``LocalFileStore``: files in a folder under the instance path (embedded default). A put
writes a temporary file in the same folder and renames it over the key when the stream ended:
``os.replace`` is atomic on one file system, so an interrupted upload leaves nothing under the
key, and the temporary file is removed on the way out.

``S3FileStore``: S3-compatible object storage through boto3 (docs/decisions/0024). S3 makes an
object visible only once its upload completed; ``upload_fileobj`` aborts its multipart upload
when the stream raises, so nothing is left there either. Reads are ranged GETs made lazily
behind a seekable stream, so serving ``Range: bytes=…`` fetches only those bytes. boto3 reads
its credentials from the usual AWS variables or files: this module never sees or logs them.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from botocore.exceptions import BotoCoreError, ClientError

from etwin_lti.domain.files import is_valid_key
from etwin_lti.domain.ports.file_store import StoredFileMissingError
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import RemoteServiceError
from etwin_lti.private_files import DIR_MODE, FILE_MODE, private_dir

_CHUNK = 1024 * 1024


def _checked(key: str) -> str:
    if not is_valid_key(key):
        raise ValueError(N_("A file store key is a random token, not a path."))
    return key


class LocalFileStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self._root = Path(root)

    def __repr__(self) -> str:
        return f"LocalFileStore({str(self._root)!r})"

    def _path(self, key: str) -> Path:
        # Two levels of fan-out keep any one folder small.
        key = _checked(key)
        return self._root / key[:2] / key

    def put(self, key: str, stream: BinaryIO) -> int:
        target = self._path(key)
        folder = private_dir(target.parent)
        os.chmod(self._root, DIR_MODE)
        descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=".part-")
        try:
            os.fchmod(descriptor, FILE_MODE)
            with os.fdopen(descriptor, "wb") as out:
                shutil.copyfileobj(stream, out, _CHUNK)
                out.flush()
                os.fsync(out.fileno())
                written = out.tell()
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return written

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as error:
            raise StoredFileMissingError() from error

    def size(self, key: str) -> int:
        try:
            return self._path(key).stat().st_size
        except FileNotFoundError as error:
            raise StoredFileMissingError() from error

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


class S3FileStore:
    """``client`` is a boto3 S3 client made in bootstrap (endpoint, region, credentials)."""

    def __init__(self, client: Any, bucket: str, *, prefix: str = "") -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix

    def __repr__(self) -> str:  # the client holds credentials: never in a repr
        return f"S3FileStore(bucket={self._bucket!r})"

    def _key(self, key: str) -> str:
        return self._prefix + _checked(key)

    def put(self, key: str, stream: BinaryIO) -> int:
        counted = _CountingReader(stream)
        try:
            self._client.upload_fileobj(counted, self._bucket, self._key(key))
        except (BotoCoreError, ClientError) as error:
            raise RemoteServiceError(N_("The file store did not accept the file.")) from error
        return counted.count

    def open(self, key: str) -> BinaryIO:
        return io.BufferedReader(_S3Reader(self, self._key(key), self.size(key)), _CHUNK)

    def size(self, key: str) -> int:
        try:
            head = self._client.head_object(Bucket=self._bucket, Key=self._key(key))
        except ClientError as error:
            raise _missing_or_remote(error) from error
        except BotoCoreError as error:
            raise RemoteServiceError(N_("The file store could not be reached.")) from error
        return int(head["ContentLength"])

    def delete(self, key: str) -> None:
        try:
            self._client.delete_object(Bucket=self._bucket, Key=self._key(key))
        except (BotoCoreError, ClientError) as error:
            raise RemoteServiceError(N_("The file store did not delete the file.")) from error

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except StoredFileMissingError:
            return False
        return True

    def _get_range(self, full_key: str, start: int) -> Any:
        try:
            answer = self._client.get_object(
                Bucket=self._bucket, Key=full_key, Range=f"bytes={start}-"
            )
        except ClientError as error:
            raise _missing_or_remote(error) from error
        except BotoCoreError as error:
            raise RemoteServiceError(N_("The file store could not be reached.")) from error
        return answer["Body"]


def _missing_or_remote(error: ClientError) -> Exception:
    code = str(error.response.get("Error", {}).get("Code", ""))
    if code in {"404", "NoSuchKey", "NotFound"}:
        return StoredFileMissingError()
    return RemoteServiceError("The file store refused the request.")


class _CountingReader(io.RawIOBase):
    """The stream as boto3 reads it, counting bytes (the put's return value)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self._stream.read(-1 if size is None else size)
        self.count += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _S3Reader(io.RawIOBase):
    """A seekable view of one object: a ranged GET from the current position, opened on the
    first read after a seek (serving ``bytes=1000-`` never downloads the first 1000 bytes)."""

    def __init__(self, store: S3FileStore, full_key: str, size: int) -> None:
        self._store = store
        self._key = full_key
        self._size = size
        self._position = 0
        self._body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: self._size}[whence]
        position = max(0, base + offset)
        if position != self._position:
            self._drop_body()
        self._position = position
        return position

    def readinto(self, buffer: Any) -> int:
        if self._position >= self._size:
            return 0
        if self._body is None:
            self._body = self._store._get_range(self._key, self._position)
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)

    def _drop_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._drop_body()
        super().close()
