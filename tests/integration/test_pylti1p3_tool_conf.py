"""pylti1p3 builds what the tool sends, signed with the key we publish (same kid)."""

from __future__ import annotations

import jwt
from flask import Flask
from jwt.algorithms import RSAAlgorithm
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource

from connectors.pylti1p3_tool import RegistrationToolConf
from etwin_lti.domain.registrations import PlatformRegistration


def test_a_deep_link_response_verifies_with_our_published_key(app: Flask) -> None:
    container = app.extensions["etwin"]
    platform = container.registrations.add_platform(
        PlatformRegistration(
            issuer="https://lms.test",
            client_id="client-9",
            name="LMS",
            auth_login_url="https://lms.test/auth",
            auth_token_url="https://lms.test/token",
            key_set_url="https://lms.test/jwks",
        )
    )
    container.registrations.add_deployment(platform.id, "3", active=True)
    container.registrations.add_deployment(platform.id, "4", active=False)
    conf = RegistrationToolConf(container.registrations, container.tool_keys)  # as bootstrap
    registration = conf.find_registration_by_params("https://lms.test", "client-9")
    assert conf.find_deployment_by_params("https://lms.test", "3", "client-9") is not None
    assert conf.find_deployment_by_params("https://lms.test", "4", "client-9") is None
    assert conf.find_registration_by_params("https://lms.test", "other") is None
    settings = {"deep_link_return_url": "https://lms.test/return", "data": "d-1"}
    resource = (
        DeepLinkResource()
        .set_title("TwinSpace")
        .set_custom_params({"etwin_resource": "twinspace:1"})
    )
    token = DeepLink(registration, "3", settings).get_response_jwt([resource])
    published = app.test_client().get("/.well-known/jwks.json").get_json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in published if k["kid"] == kid)
    claims = jwt.decode(
        token, RSAAlgorithm.from_jwk(jwk), algorithms=["RS256"], audience="https://lms.test"
    )
    assert claims["iss"] == "client-9"
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "d-1"
