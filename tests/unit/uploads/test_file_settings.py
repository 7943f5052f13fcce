"""The file store settings are checked at start-up, never during a request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from etwin_lti.errors import ConfigurationError
from etwin_lti.settings import Settings

BASE = {"SECRET_KEY": "s" * 32, "ENCRYPTION_KEYS": "x"}


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"FILE_STORE": "ftp"}, "ETWIN_FILE_STORE"),
        ({"FILE_STORE": "s3"}, "ETWIN_S3_BUCKET"),
        ({"TWINSPACE_QUOTA_MB": 0}, "ETWIN_TWINSPACE_QUOTA_MB"),
    ],
)
def test_bad_file_settings_are_refused(
    tmp_path: Path, config: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_mapping({**BASE, **config}, str(tmp_path))


def test_defaults_keep_files_in_the_instance_folder(tmp_path: Path) -> None:
    settings = Settings.from_mapping(BASE, str(tmp_path))
    assert (settings.file_store, settings.twinspace_quota_mb) == ("local", 500)
    s3 = Settings.from_mapping({**BASE, "FILE_STORE": "s3", "S3_BUCKET": "b"}, str(tmp_path))
    assert "AWS" not in repr(s3) and s3.s3_prefix == "materials/"
