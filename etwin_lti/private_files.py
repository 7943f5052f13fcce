"""Files and folders that hold secrets or personal data, created readable by their owner only.

The instance folder keeps the SQLite database (minors' work and identities, tool keys), the
embedded queue, the secret key and the encryption key: 0700 for the folder, 0600 for each file,
set at creation (``os.open`` with a mode) so no other local user ever sees a readable moment.
SQLite gives its ``-wal``/``-shm`` files the database file's mode, so creating the database file
0600 before the first connection covers them too.
"""

from __future__ import annotations

import os
from pathlib import Path

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Create the folder (and parents) if missing and make it owner-only."""
    folder = Path(path)
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(folder, DIR_MODE)
    return folder


def create_private_file(path: str | os.PathLike[str]) -> Path:
    """Create an empty owner-only file unless it exists (then tighten its mode). A missing
    folder is left missing: the caller's own open then fails as it would have."""
    file = Path(path)
    if not file.parent.is_dir():
        return file
    try:
        os.close(os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    os.chmod(file, FILE_MODE)
    return file


def write_private_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write a new owner-only file; the mode is set by ``open`` itself, before any byte."""
    file = Path(path)
    private_dir(file.parent)
    descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(file, FILE_MODE)
    return file


def sqlite_file(url: str) -> str | None:
    """The file behind a ``sqlite:///path`` URL (None for in-memory databases)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        return None
    path = url[len(prefix) :].split("?", 1)[0]
    return None if path in {"", ":memory:"} else path
