"""The LMS side of the launch benchmark, inside the load generator: the platform that mints
id_tokens for whatever state and nonce a tool's login redirect asks, and ``Target``, one
complete launch through a tool (login, id_token POST, the page). Shared with the soak."""

from __future__ import annotations

import html
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bench.support import check, placed_reference

ISSUER = "https://lms.bench.test"
CLIENT_ID = "bench-client"
DEPLOYMENT_ID = "bench-deployment"
KID = "bench-platform-key"
USERS = 64  # distinct learners: after the warm-up every launch is a returning user's
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
ROLE_LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


class Platform:
    """One RSA key; mints id_tokens for whatever state/nonce the tool's login redirect asks."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(65537, 2048)
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": KID, "alg": "RS256", "use": "sig"})
        self.jwks = {"keys": [jwk]}

    def id_token(
        self,
        auth: dict[str, str],
        *,
        resource: str,
        claims: dict[str, Any] | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> str:
        """``claims`` replace the defaults (the soak's hostile launches: another audience, an
        expired token, an unknown deployment); ``key`` signs instead of the platform's own (a
        forged signature under the platform's ``kid``)."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": auth["login_hint"],
            "exp": now + 300,
            "iat": now,
            "nonce": auth["nonce"],
            "jti": uuid.uuid4().hex,
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": DEPLOYMENT_ID,
            CLAIM + "target_link_uri": auth["redirect_uri"],
            CLAIM + "roles": [ROLE_LEARNER],
            CLAIM + "context": {"id": "course-1", "title": "Class 4B"},
            CLAIM + "resource_link": {"id": "link-1", "title": "Our TwinSpace"},
            CLAIM + "custom": {
                "etwin_resource": resource,
                "etwin_ref": placed_reference(resource, ISSUER, DEPLOYMENT_ID, "course-1") or "",
            },
        }
        body.update(claims or {})
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": KID})

    def private_pem(self) -> str:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    def public_pem(self) -> str:
        return (
            self.key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )


def login_params(tool_url: str, launch_path: str, user: str) -> dict[str, str]:
    return {
        "iss": ISSUER,
        "login_hint": user,
        "target_link_uri": tool_url + launch_path,
        "lti_message_hint": "resource-1",
        "lti_deployment_id": DEPLOYMENT_ID,
        "client_id": CLIENT_ID,
    }


@dataclass(frozen=True)
class Target:
    """A tool under test and how one launch through it goes."""

    name: str
    url: str
    login_path: str
    launch_path: str
    resource: str
    # Both tools answer the id_token POST with the page (200). Ours names the embedded page's
    # own address in Content-Location (ADR 0036); that is checked, so a refusal page is no pass.
    embedded: bool
    new_learners: bool = False  # every launch a learner never seen (first launch: provisioning)

    def user(self, client: int, i: int) -> str:
        if self.new_learners:
            return f"new-{uuid.uuid4().hex}"
        return f"learner-{(client * 7 + i) % USERS}"

    def launch(self, platform: Platform, session: requests.Session, client: int, i: int) -> None:
        user = self.user(client, i)
        # Each launch is a fresh visit (the connection is kept): pylti1p3 leaves one state
        # cookie per login behind, and a few hundred of them overflow the header limit (431).
        session.cookies.clear()
        login = session.get(
            self.url + self.login_path,
            params=login_params(self.url, self.launch_path, user),
            allow_redirects=False,
            timeout=30,
        )
        check(login.status_code in (302, 303), f"login answered {login.status_code}")
        auth = {k: v[0] for k, v in parse_qs(urlsplit(login.headers["Location"]).query).items()}
        token = platform.id_token(auth, resource=self.resource)
        posted = session.post(
            auth["redirect_uri"],
            data={"id_token": token, "state": auth["state"]},
            allow_redirects=False,
            timeout=30,
        )
        check(posted.status_code == 200, f"launch answered {posted.status_code}: {_gist(posted)}")
        if self.embedded:
            where = posted.headers.get("Content-Location", "")
            check(where.startswith("/embed/"), f"launch answered a page of {where or 'nowhere'}")


def _gist(response: requests.Response) -> str:
    return html.unescape(response.text[:200]).replace("\n", " ")


def hello_iteration(url: str) -> Any:
    def iteration(session: requests.Session, client: int, i: int) -> None:
        response = session.get(url + "/hello", timeout=30)
        check(response.status_code == 200, f"hello answered {response.status_code}")

    return iteration
