"""``/lti/config.json`` and the sandbox LMS mounted in the tool (demo mode only)."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from etwin_lti.web.sandbox_mount import register_sandbox
from tests.conftest import make_test_app

LOCAL = "http://127.0.0.1:5000"  # what `etwin-lti serve --demo` uses
MOODLE_FORM_FIELDS = {
    "Tool name",
    "Tool URL",
    "LTI version",
    "Public key type",
    "Public keyset",
    "Initiate login URL",
    "Redirection URI(s)",
    "Custom parameters",
    "Supports Deep Linking (Content-Item Message)",
    "Content Selection URL",
    "IMS LTI Assignment and Grade Services",
    "IMS LTI Names and Role Provisioning",
    "Share launcher's name with tool",
    "Share launcher's email with tool",
    "Accept grades from the tool",
}


def test_config_json_has_every_value_of_moodles_form(app: Flask) -> None:
    body = app.test_client().get("/lti/config.json").get_json()

    moodle = body["moodle"]
    assert MOODLE_FORM_FIELDS <= set(moodle)
    assert moodle["Tool URL"] == "http://tool.test/lti/launch"
    assert moodle["LTI version"] == "LTI 1.3"
    assert moodle["Public key type"] == "Keyset URL"
    assert moodle["Public keyset"] == "http://tool.test/.well-known/jwks.json"
    assert moodle["Initiate login URL"] == "http://tool.test/lti/login"
    assert moodle["Redirection URI(s)"] == "http://tool.test/lti/launch"  # exact, no query
    assert moodle["Content Selection URL"] == "http://tool.test/lti/launch"
    assert moodle["Supports Deep Linking (Content-Item Message)"] is True
    assert moodle["Custom parameters"] == "etwin_country=$Person.address.country"
    assert moodle["Share launcher's email with tool"] == "Never"
    assert moodle["Share launcher's name with tool"] == "Never"
    assert body["claims"] == ["iss", "sub"]
    assert "?" not in "".join(body["urls"]["redirection_uris"])
    assert len(body["scopes"]) == 5


def test_config_json_shares_names_only_when_configured(sqlite_url: str, tmp_path: Path) -> None:
    app = make_test_app(sqlite_url, tmp_path, STORE_PUPIL_NAMES=True)
    body = app.test_client().get("/lti/config.json").get_json()
    assert body["moodle"]["Share launcher's name with tool"] == "Always"
    assert body["moodle"]["Share launcher's email with tool"] == "Never"
    assert body["claims"] == ["iss", "sub", "given_name", "family_name", "name"]


def test_no_sandbox_without_demo(app: Flask) -> None:
    assert app.test_client().get("/sandbox/").status_code == 404
    assert "sandbox" not in app.extensions


def test_sandbox_is_mounted_and_registered_in_demo_mode(sqlite_url: str, tmp_path: Path) -> None:
    app = make_test_app(sqlite_url, tmp_path, DEMO=True, BASE_URL=LOCAL)
    container = app.extensions["etwin"]
    sandbox = app.extensions["sandbox"]
    assert container.on_serve  # register_sandbox runs at every serve
    register_sandbox(container.registrations, sandbox)
    register_sandbox(container.registrations, sandbox)  # a second serve changes nothing

    (platform,) = container.registrations.list_platforms()
    assert platform.issuer == "http://127.0.0.1:5000/sandbox"
    assert platform.auth_login_url == "http://127.0.0.1:5000/sandbox/auth"
    assert platform.key_set_url == "http://127.0.0.1:5000/sandbox/jwks"
    (deployment,) = container.registrations.list_deployments(platform.id)
    assert deployment.active and deployment.deployment_id == "sandbox-1"

    client = app.test_client()
    page = client.get("/sandbox/")
    assert page.status_code == 200
    assert b"Start a deep-linking request" in page.data
    jwks = client.get("/sandbox/jwks").get_json()
    assert jwks["keys"][0]["kid"] == app.extensions["sandbox"].keys.kid
    config = client.get("/sandbox/.well-known/openid-configuration").get_json()
    assert config["issuer"] == "http://127.0.0.1:5000/sandbox"
    # The key survives a restart (the tool caches the platform's JWKS).
    again = make_test_app(sqlite_url, tmp_path, DEMO=True, BASE_URL=LOCAL)
    assert again.extensions["sandbox"].keys.kid == sandbox.keys.kid


def test_sandbox_launch_starts_with_a_login_initiation(sqlite_url: str, tmp_path: Path) -> None:
    app = make_test_app(sqlite_url, tmp_path, DEMO=True, BASE_URL=LOCAL)
    client = app.test_client()
    response = client.post(
        "/sandbox/launch", data={"user": "pupil", "etwin_resource": "twinspace:1"}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith("http://127.0.0.1:5000/lti/login?")
    assert "iss=http%3A%2F%2F127.0.0.1%3A5000%2Fsandbox" in location
    assert "login_hint=3" in location and "lti_deployment_id=sandbox-1" in location
    assert "sandbox_lms_session=" in response.headers["Set-Cookie"]
    assert "SameSite=Lax" in response.headers["Set-Cookie"]

    posted = client.post(
        "/sandbox/launch", data={"user": "teacher", "message": "deeplink", "method": "post"}
    )
    assert posted.status_code == 200
    assert b'action="http://127.0.0.1:5000/lti/login"' in posted.data
    assert b'name="lti_message_hint"' in posted.data
