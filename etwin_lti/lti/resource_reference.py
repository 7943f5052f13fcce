"""The tool-signed resource reference: what a picker choice leaves in the LMS activity.

DESIGN.md "Bound resources". The ``etwin_resource`` custom parameter alone is a request anyone
who edits an activity can type; the reference is the tool's own signature over the choice:

    {"r": "twinspace:12", "i": <platform issuer>, "d": <deployment id>, "c": <context id>,
     "by": <eTwinning person who chose it>}

signed with the tool's secret key (itsdangerous, HMAC-SHA256, its own salt so no other signed
value of the tool can stand in for one). It travels twice, because platforms drop one or the
other: in the custom parameter ``etwin_ref`` and in the item's ``url`` as the query parameter
``etwin_ref`` (Moodle's Common Cartridge import keeps the launch URL and drops custom; the
launch's ``target_link_uri`` claim gives the URL back). The redirect URI the tool sends in the
OIDC request is never decorated (Moodle matches it exactly), only ``target_link_uri`` is.

No lifetime: a reference sits in an LMS activity for years and comes back from course backups.
What limits it is where it may be used (this platform, deployment and course; first launch
records the binding and later launches ignore the reference) rather than when.

An *open* reference names only a unit or an event, no platform or course: the Common
Cartridge export, for any course of any platform (units and events have no members to take
over; TwinSpaces are never referenced openly).

Sans-IO: the key is a parameter, nothing here reads configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from itsdangerous import BadSignature, URLSafeSerializer

from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import PermissionDeniedError
from etwin_lti.lti.errors import MissingResourceError
from etwin_lti.lti.resources import parse_resource

CUSTOM_REFERENCE = "etwin_ref"  # the custom parameter, and the query parameter of the item URL
_SALT = "etwin-lti resource reference v1"
_MAX_LENGTH = 2000
_OPEN_KINDS = frozenset({ResourceKind.UNIT, ResourceKind.EVENT})
_PICKER = N_("your teacher: add the activity again through the eTwinning picker")


class ForgedReferenceError(PermissionDeniedError):
    """The reference was not signed by this tool, or was changed after signing."""

    error = "forged_reference"
    description = N_(
        "This activity's eTwinning reference was not made by the eTwinning tool, or was "
        "changed. The activity opens nothing until it is added again through the picker."
    )
    who_can_fix = _PICKER


@dataclass(frozen=True)
class ResourceReference:
    resource: Resource
    issuer: str | None  # None only for an open reference (a unit or an event)
    deployment_id: str | None
    context_id: str | None
    chosen_by: int | None  # the eTwinning person who chose it; None: the tool administrator

    @property
    def is_open(self) -> bool:
        return self.issuer is None


def sign_reference(reference: ResourceReference, secret_key: str) -> str:
    if reference.is_open and reference.resource.kind not in _OPEN_KINDS:
        raise ValueError(N_("Only units and events may have an open reference."))
    body: dict[str, Any] = {"r": str(reference.resource)}
    for name, value in (
        ("i", reference.issuer),
        ("d", reference.deployment_id),
        ("c", reference.context_id),
        ("by", reference.chosen_by),
    ):
        if value is not None:
            body[name] = value
    return str(URLSafeSerializer(secret_key, salt=_SALT).dumps(body))


def read_reference(token: str, secret_key: str) -> ResourceReference:
    """The signed choice; ``ForgedReferenceError`` for anything else."""
    if len(token) > _MAX_LENGTH:
        raise ForgedReferenceError()
    try:
        body = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadSignature:
        raise ForgedReferenceError() from None
    if not isinstance(body, dict) or not isinstance(body.get("r"), str):
        raise ForgedReferenceError()
    try:
        resource = parse_resource(body["r"])
    except MissingResourceError:
        raise ForgedReferenceError() from None
    reference = ResourceReference(
        resource=resource,
        issuer=_text(body.get("i")),
        deployment_id=_text(body.get("d")),
        context_id=_text(body.get("c")),
        chosen_by=body["by"] if isinstance(body.get("by"), int) else None,
    )
    if reference.is_open and resource.kind not in _OPEN_KINDS:
        raise ForgedReferenceError()
    return reference


def reference_from_launch(custom: Mapping[str, str], target_link_uri: str | None) -> str | None:
    """The reference a launch carries: custom ``etwin_ref`` first, else the one in the
    activity's URL (``target_link_uri``), which survives where custom parameters do not."""
    value = (custom.get(CUSTOM_REFERENCE) or "").strip()
    if value:
        return value
    if not target_link_uri:
        return None
    query = dict(parse_qsl(urlsplit(target_link_uri).query))
    return (query.get(CUSTOM_REFERENCE) or "").strip() or None


def url_with_reference(url: str, token: str) -> str:
    """``url`` with ``etwin_ref=<token>`` in its query (an earlier one replaced)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != CUSTOM_REFERENCE]
    query.append((CUSTOM_REFERENCE, token))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
