"""Secrets at rest (issue 10 item 6): what a stolen database file or backup reveals, key
rotation with ``etwin-lti keys reencrypt``, and owner-only instance files."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import text

from etwin_lti.app import create_app
from etwin_lti.cli import CliState, main
from etwin_lti.cli.db import upgrade_database
from etwin_lti.errors import ConfigurationError
from etwin_lti.persistence.secret_box import SecretBox
from moodle_bridge.sites import legacy_token_key
from tests.conftest import TEST_ENCRYPTION_KEY, TEST_SECRET, make_test_app, settle

NOW = datetime(2026, 3, 1, tzinfo=UTC)
MOODLE_TOKEN = "moodle-ws-token-0123456789abcdef"


def _raw(app: Flask, query: str) -> list[str]:
    with app.extensions["etwin"].database.engine.connect() as connection:
        return [str(value) for value in connection.execute(text(query)).scalars()]


def _app(url: str, folder: Path, keys: str) -> Flask:
    return make_test_app(url, folder, ENCRYPTION_KEYS=keys)


def _add_moodle_site(app: Flask) -> int:
    store = app.extensions["etwin"].moodle.store
    return int(store.add_site("https://moodle.example.org", MOODLE_TOKEN, now=NOW).id)


def test_the_database_holds_no_private_key_or_moodle_token_in_plain(
    app_database_url: str, tmp_path: Path
) -> None:
    app = _app(app_database_url, tmp_path, SecretBox.new_key())
    _add_moodle_site(app)
    app.extensions["etwin"].tool_keys.rotate()
    stored = _raw(app, "SELECT private_pem FROM tool_keys") + _raw(
        app, "SELECT token_encrypted FROM moodle_sites"
    )
    assert len(stored) >= 3
    assert all(value.startswith("gAAAAA") for value in stored)
    assert not any("PRIVATE KEY" in v or MOODLE_TOKEN in v for v in stored)
    settle(app)


def test_rotation_then_reencrypt_then_the_old_key_can_go(
    app_database_url: str, tmp_path: Path
) -> None:
    old, new = TEST_ENCRYPTION_KEY, SecretBox.new_key()  # old: the template's tool key
    first = _app(app_database_url, tmp_path / "a", old)
    site_id = _add_moodle_site(first)
    kid = first.extensions["etwin"].tool_keys.signing_key().kid
    settle(first)

    # Step 1 of the README: the new key first, the old one still listed; then reencrypt.
    both = _app(app_database_url, tmp_path / "b", f"{new},{old}")
    result = CliRunner().invoke(main, ["keys", "reencrypt"], obj=CliState(both))
    assert result.exit_code == 0, result.output
    assert "tool keys: 1 re-encrypted" in result.output
    assert "Moodle tokens: 1 re-encrypted" in result.output
    again = CliRunner().invoke(main, ["keys", "reencrypt"], obj=CliState(both))
    assert "tool keys: 0 re-encrypted" in again.output  # idempotent
    assert old not in result.output + again.output and new not in result.output
    settle(both)

    # Step 2: the old key leaves the environment; everything still opens.
    only_new = _app(app_database_url, tmp_path / "c", new)
    services = only_new.extensions["etwin"]
    assert services.tool_keys.signing_key().kid == kid
    assert services.moodle.store.site_token(site_id) == MOODLE_TOKEN
    settle(only_new)

    # Without any key that opens them, a clear configuration error (never a garbled secret).
    stranger = _app(app_database_url, tmp_path / "d", SecretBox.new_key())
    with pytest.raises(ConfigurationError, match="ETWIN_ENCRYPTION_KEYS"):
        stranger.extensions["etwin"].tool_keys.signing_key()
    with pytest.raises(ConfigurationError, match="moodle add"):
        stranger.extensions["etwin"].moodle.store.site_token(site_id)
    settle(stranger)


def test_rows_from_before_encryption_at_rest_are_read_and_then_encrypted(
    app_database_url: str, tmp_path: Path
) -> None:
    key = TEST_ENCRYPTION_KEY
    app = _app(app_database_url, tmp_path, key)
    services = app.extensions["etwin"]
    kid = services.tool_keys.signing_key().kid
    site_id = _add_moodle_site(app)
    # Put the rows back as the previous release wrote them: the PEM in plain, the Moodle token
    # under the key derived from ETWIN_SECRET_KEY.
    pem = SecretBox([key]).decrypt(_raw(app, "SELECT private_pem FROM tool_keys")[0])
    legacy = Fernet(legacy_token_key(TEST_SECRET)).encrypt(MOODLE_TOKEN.encode()).decode()
    with services.database.engine.begin() as connection:
        connection.execute(text("UPDATE tool_keys SET private_pem = :p"), {"p": pem})
        connection.execute(text("UPDATE moodle_sites SET token_encrypted = :t"), {"t": legacy})
    assert services.tool_keys.signing_key().kid == kid
    assert services.moodle.store.site_token(site_id) == MOODLE_TOKEN

    result = CliRunner().invoke(main, ["keys", "reencrypt"], obj=CliState(app))
    assert "tool keys: 1 re-encrypted" in result.output
    assert "Moodle tokens: 1 re-encrypted" in result.output
    assert "PRIVATE KEY" not in _raw(app, "SELECT private_pem FROM tool_keys")[0]
    assert SecretBox([key]).decrypt(_raw(app, "SELECT token_encrypted FROM moodle_sites")[0])
    settle(app)


@pytest.mark.parametrize(
    "keys",
    ["not-a-fernet-key", ",", f"{SecretBox.new_key()},short"],
    ids=["not-a-fernet-key", "empty-entries", "one-good-one-short"],  # stable for xdist
)
def test_bad_encryption_keys_stop_the_start(keys: str, sqlite_url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="ETWIN_ENCRYPTION_KEYS"):
        make_test_app(sqlite_url, tmp_path, ENCRYPTION_KEYS=keys)


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_instance_files_are_created_owner_only(tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    old_umask = os.umask(0o022)  # a usual login umask: new files would be world-readable
    try:
        app = create_app(
            {
                "TESTING": True,
                "DEMO": True,  # the sandbox LMS's key file too
                "BASE_URL": "http://tool.test",
                "INSTANCE_PATH": str(instance),
            }
        )
        upgrade_database(app)
        assert app.extensions["etwin"].health_checks["queue"]()  # opens the queue file
    finally:
        os.umask(old_umask)
    settings = app.extensions["etwin"].settings
    assert settings.database_url == "sqlite:///" + str(instance / "etwin.sqlite")
    assert _mode(instance) == 0o700
    files = ["etwin.sqlite", "queue.sqlite", "secret_key", "encryption_key"]
    files.append("sandbox-platform-key.pem")
    for name in files:
        assert _mode(instance / name) == 0o600, name
    # SQLite's write-ahead log and shared memory files take the database file's mode.
    for extra in instance.glob("*.sqlite-*"):
        assert _mode(extra) == 0o600, extra.name
    assert "secret_key" not in repr(settings) and settings.secret_key not in repr(settings)
    assert settings.encryption_keys[0] not in repr(settings)
    settle(app)
