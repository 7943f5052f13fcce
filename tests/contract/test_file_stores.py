"""One contract for every FileStore: the local folder and S3 (boto3 against moto's real S3
server on this machine, see tests/support/s3_server.py)."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from connectors.file_stores import LocalFileStore, S3FileStore
from etwin_lti.domain.ports.file_store import FileStore, StoredFileMissingError
from tests.support.s3_server import S3Server, s3_server  # noqa: F401  (session fixture)

BIG = 9 * 1024 * 1024  # above boto3's 8 MB multipart threshold


class BrokenStream(io.RawIOBase):
    """An upload that dies after ``fail_after`` bytes (a client gone, a proxy timeout)."""

    def __init__(self, fail_after: int) -> None:
        self._left = fail_after

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            raise ConnectionResetError("the client went away")
        n = min(len(buffer), self._left, 64 * 1024)
        buffer[:n] = b"x" * n
        self._left -= n
        return n


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FileStore]:
    if request.param == "local":
        yield LocalFileStore(tmp_path / "files")
        return
    server: S3Server = request.getfixturevalue("s3_server")
    yield S3FileStore(server.client(), server.new_bucket(), prefix="materials/")


def key() -> str:
    return secrets.token_urlsafe(24)


def test_put_then_open_size_and_exists(store: FileStore) -> None:
    k = key()
    assert store.put(k, io.BytesIO(b"hello files")) == 11
    assert store.exists(k)
    assert store.size(k) == 11
    with store.open(k) as body:
        assert body.read() == b"hello files"


def test_open_is_seekable_for_ranges(store: FileStore) -> None:
    k = key()
    data = bytes(range(256)) * 100
    store.put(k, io.BytesIO(data))
    with store.open(k) as body:
        assert body.seekable()
        body.seek(1000)
        assert body.read(50) == data[1000:1050]
        body.seek(10)
        assert body.read(5) == data[10:15]
        body.seek(-3, io.SEEK_END)
        assert body.read() == data[-3:]


def test_put_replaces_and_delete_removes(store: FileStore) -> None:
    k = key()
    store.put(k, io.BytesIO(b"one"))
    store.put(k, io.BytesIO(b"second"))
    assert store.size(k) == 6
    store.delete(k)
    assert not store.exists(k)
    store.delete(k)  # again: no error


def test_unknown_key_is_missing(store: FileStore) -> None:
    k = key()
    with pytest.raises(StoredFileMissingError):
        store.open(k)
    with pytest.raises(StoredFileMissingError):
        store.size(k)
    assert not store.exists(k)


@pytest.mark.parametrize("fail_after", [100, BIG + 1000], ids=["small", "multipart"])
def test_an_interrupted_put_leaves_nothing(store: FileStore, fail_after: int) -> None:
    k = key()
    stream: BinaryIO = io.BufferedReader(BrokenStream(fail_after))
    with pytest.raises(ConnectionResetError):
        store.put(k, stream)
    assert not store.exists(k)


def test_an_interrupted_replace_keeps_the_old_file(store: FileStore) -> None:
    k = key()
    store.put(k, io.BytesIO(b"kept"))
    with pytest.raises(ConnectionResetError):
        store.put(k, io.BufferedReader(BrokenStream(50)))
    with store.open(k) as body:
        assert body.read() == b"kept"


def test_big_file_round_trip(store: FileStore) -> None:
    k = key()
    data = secrets.token_bytes(BIG)
    assert store.put(k, io.BytesIO(data)) == BIG
    with store.open(k) as body:
        body.seek(BIG - 10)
        assert body.read() == data[-10:]


@pytest.mark.parametrize("bad", ["../etc/passwd", "a/b", "", "short", "x" * 200, "k\x00ey" * 5])
def test_keys_are_tokens_never_paths(store: FileStore, bad: str) -> None:
    with pytest.raises(ValueError):
        store.put(bad, io.BytesIO(b"x"))
    with pytest.raises(ValueError):
        store.open(bad)


def test_local_store_leaves_no_temporary_file(tmp_path: Path) -> None:
    root = tmp_path / "files"
    store = LocalFileStore(root)
    with pytest.raises(ConnectionResetError):
        store.put(key(), io.BufferedReader(BrokenStream(10)))
    store.put(key(), io.BytesIO(b"ok"))
    leftovers = [p for p in root.rglob("*") if p.is_file() and p.name.startswith(".part-")]
    assert leftovers == []
    assert all((p.stat().st_mode & 0o077) == 0 for p in root.rglob("*"))
