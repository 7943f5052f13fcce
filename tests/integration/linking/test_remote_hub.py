"""With a remote hub (ETWIN_HUB_URL) the people live on that hub: this instance offers no
linking, and its linking pages say where to go instead of failing."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_test_app


def test_no_linking_with_a_remote_hub(sqlite_url: str, tmp_path: Path) -> None:
    app = make_test_app(
        sqlite_url, tmp_path, HUB_URL="http://127.0.0.1:9", HUB_TOKEN="an-admin-token"
    )
    assert getattr(app.extensions["etwin"], "teacher_linking", None) is None
    page = app.test_client().post("/lti/link/register", data={"display_name": "X"})
    assert page.status_code == 403 and b'data-error="forbidden"' in page.data
    assert b"ETWIN_HUB_URL" in page.data
    app.extensions["etwin"].database.dispose()
