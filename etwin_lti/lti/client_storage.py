"""LTI client-side postMessage storage, the tool's side: where the login state goes when the
browser keeps no cookie for the tool.

1EdTech "LTI Client Side postMessages" (https://www.imsglobal.org/spec/lti-cs-pm/v0p1) and
"OIDC Login with LTI Client Side postMessages" (https://www.imsglobal.org/spec/lti-cs-oidc/v0p1):
a platform that offers storage names its storage frame in the login initiation
(``lti_storage_target``: a frame of the tool frame's parent, or ``_parent``). The login page
sends ``lti.capabilities`` and ``lti.put_data`` to that frame, the launch page ``lti.get_data``;
data goes only to, and is accepted only from, the platform's authorization origin (the one
registered, never ``*``). The script is ``web/static/lti_storage.js``; this module decides the
values it gets. Sans-IO.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

TARGET_PARAM = "lti_storage_target"
STATE_FIELD = "etwin_login_state"  # the launch page's post of the state read from the storage
_TARGET = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
WAIT_MILLISECONDS = 2000  # a storage that never answers: the page falls back by then


@dataclass(frozen=True)
class StorageRequest:
    target: str  # the frame's name, or "_parent"
    origin: str  # the platform's authorization origin: postMessage's targetOrigin and check
    key: str  # scoped per login state


def storage_target(value: str | None) -> str | None:
    """The frame name a platform sent, or None when absent or not a plain frame name."""
    if value is None or not _TARGET.fullmatch(value):
        return None
    return value


def origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def state_key(state: str) -> str:
    """The storage key of one login's sealed state: a digest, so that the key says nothing and
    a platform's storage holds one entry per login."""
    return "etwin_state_" + hashlib.sha256(state.encode()).hexdigest()[:32]


def storage_request(target: str | None, auth_login_url: str, state: str) -> StorageRequest | None:
    name, origin = storage_target(target), origin_of(auth_login_url)
    if name is None or origin is None:
        return None
    return StorageRequest(name, origin, state_key(state))
