"""The login's own parameters, carried in ``state``, so that a launch which lost its login state
(every cookie blocked, no platform storage) can start the login again at top level.

Security Framework 1.0, section 5.1.1.1 leaves the content of ``state`` to the tool, and the
platform posts it back with the id_token. After the random part the tool appends the login
initiation's parameters (base64url JSON). They are not secret (they were in the login's own URL)
and untrusted when they come back: they only make the "open in a new window" link to the tool's
own ``/lti/login``, which checks them again like any login. ``lti_storage_target`` is left out:
a new window has no platform frame to talk to, and its cookies are first-party.
"""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import urlencode

from etwin_lti.lti.errors import InvalidLoginError
from etwin_lti.lti.oidc_login import LoginInitiation, parse_login_initiation

RESTART_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "lti_deployment_id",
    "client_id",
)
MAX_PACKED_LENGTH = 1200  # beyond this the state would bloat the platform's URL: no link then
_SEPARATOR = "."  # never in a token_urlsafe value


def state_with_restart(random_part: str, initiation: LoginInitiation) -> str:
    body = {name: getattr(initiation, name) for name in RESTART_PARAMS}
    compact = json.dumps({k: v for k, v in body.items() if v is not None}, separators=(",", ":"))
    packed = base64.urlsafe_b64encode(compact.encode()).decode().rstrip("=")
    if len(packed) > MAX_PACKED_LENGTH:
        return random_part
    return random_part + _SEPARATOR + packed


def restart_params(state: str, *, tool_base_url: str) -> dict[str, str] | None:
    """The login parameters packed in a state posted back, or None when there are none or they
    do not make a login of this tool (a forged or truncated state)."""
    _random, separator, packed = state.partition(_SEPARATOR)
    if not separator or not packed or len(packed) > MAX_PACKED_LENGTH:
        return None
    try:
        body = json.loads(base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)))
    except (binascii.Error, ValueError):  # UnicodeDecodeError and JSONDecodeError included
        return None
    if not isinstance(body, dict):
        return None
    params = {k: v for k, v in body.items() if k in RESTART_PARAMS and isinstance(v, str)}
    try:
        parse_login_initiation(params, tool_base_url=tool_base_url)
    except InvalidLoginError:
        return None
    return params


def restart_url(login_url: str, state: str, *, tool_base_url: str) -> str | None:
    """The tool's login URL that starts this login again (see the module docstring)."""
    params = restart_params(state, tool_base_url=tool_base_url)
    return None if params is None else login_url + "?" + urlencode(params)
