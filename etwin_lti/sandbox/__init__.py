"""The sandbox LMS: an LTI 1.3 platform built on lti1p3platform 0.1.8.

It plays "the LMS" twice: mounted at ``/sandbox/`` inside the tool when serving with ``--demo``
(newcomers click "launch as teacher" without owning a Moodle), and served on its own host by
``create_platform_app`` as the peer of the end-to-end tests. Either way it talks to the tool
ONLY over HTTP (login initiation, id_token form post, the tool's JWKS, dynamic registration):
an import-linter contract forbids it to import the tool's code.

    create_platform_app(SandboxSettings(...)) -> Flask        standalone peer
    create_sandbox_blueprint(SandboxPlatform(...)) -> Blueprint  mounted inside the tool
"""

from etwin_lti.sandbox.app import create_platform_app
from etwin_lti.sandbox.keys import PlatformKeys
from etwin_lti.sandbox.model import (
    DeepLinkReturn,
    SandboxContext,
    SandboxResource,
    SandboxSettings,
    SandboxUser,
    ToolClient,
)
from etwin_lti.sandbox.platform import SandboxPlatform, SandboxRefusalError
from etwin_lti.sandbox.views import create_sandbox_blueprint

__all__ = [
    "DeepLinkReturn",
    "PlatformKeys",
    "SandboxContext",
    "SandboxPlatform",
    "SandboxRefusalError",
    "SandboxResource",
    "SandboxSettings",
    "SandboxUser",
    "ToolClient",
    "create_platform_app",
    "create_sandbox_blueprint",
]
