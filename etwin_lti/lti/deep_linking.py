"""Deep Linking 2.0, tool side, as pure functions (https://www.imsglobal.org/spec/lti-dl/v2p0/).

- ``parse_settings``: section 4.4 "Deep linking settings" of the ``LtiDeepLinkingRequest``. The
  launch core (``etwin_lti.lti.launch``) already refuses a request without
  ``deep_link_return_url`` or ``accept_types``; this is the picker's own check, so a stored
  session can never make us post to something that is not an http(s) URL, or send an item type
  the platform did not ask for.
- ``resource_link_item``: section 3.1 / 4.5.1 the ``ltiResourceLink`` content item. Its ``url`` is
  our ``/lti/launch`` plus only the tool-signed reference (``etwin_ref``), and the chosen
  resource also travels in ``custom`` (``etwin_resource``, ``etwin_ref``): Moodle matches
  redirect URIs exactly, so the tool never puts a query string in the OIDC ``redirect_uri``
  (lti-landscape.md section 5, item 2); the item URL is the ``target_link_uri``, which Moodle
  keeps as the activity's launch URL, even through a Common Cartridge import that drops
  ``custom``. Units and Learning Events carry a ``lineItem``
  (section 3.1 "Line item") so the platform creates the grade column that progress passback
  scores land in; TwinSpaces are not graded.
- ``response_claims``: section 4.5 "Deep linking response message": ``iss`` = our client_id,
  ``aud`` = the platform's issuer, ``nonce``, ``iat``/``exp``, ``deployment_id``,
  ``content_items``, ``data`` echoed exactly when the request had one, and the optional
  ``msg``/``log``/``errormsg``/``errorlog``.

Signing: these claims are signed by pylti1p3's ``DeepLink.encode_jwt`` over the ``Registration``
that ``connectors.pylti1p3_tool.RegistrationToolConf`` builds from our registration and current
tool key (``connectors/pylti1p3_deep_linking.py``), as docs/decisions/0002 decides: "sending uses
pylti1p3". We build the claim set here rather than with ``DeepLink.get_message_jwt`` because
that one reads ``time.time()``, always sends ``data`` (``null`` when the request had none) and
cannot carry ``text``, ``msg``/``errormsg``/``log``/``errorlog`` or ``accept_lineitem``.

``now`` and ``nonce`` are parameters; nothing here reads a clock or a random source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import ConfigurationError, InvalidInputError, LtiError
from etwin_lti.lti import claims as c
from etwin_lti.lti.resource_reference import CUSTOM_REFERENCE, url_with_reference

RESPONSE_LIFETIME_SECONDS = 600  # the response is posted straight away by the browser
MAX_TITLE_LENGTH = 255  # Moodle's activity name column
MAX_TEXT_LENGTH = 1000
# Progress passback scores a completion "1 out of 1" (etwin_lti.lti.ags) against this line
# item, and finds it by this tag; Moodle rescales to the grade item's maximum anyway.
COMPLETION_SCORE_MAXIMUM = 1
COMPLETION_TAG = "etwin-completion"
GRADED_KINDS = frozenset({ResourceKind.UNIT, ResourceKind.EVENT})

_LMS_ADMIN = N_("your LMS administrator")


class DeepLinkingSettingsError(LtiError):
    """The deep-linking request cannot be answered (section 4.4)."""

    error = "deep_linking_settings"
    description = N_("Your LMS asked for an eTwinning activity in a way the tool cannot answer.")
    who_can_fix = _LMS_ADMIN


class MissingReturnUrlError(DeepLinkingSettingsError):
    error = "deep_link_return_url"
    description = N_(
        "Your LMS did not say where to send the chosen activity (deep_link_return_url is "
        "missing or is not an http(s) address)."
    )


class UnsupportedAcceptTypesError(DeepLinkingSettingsError):
    error = "unsupported_accept_types"
    description = N_(
        "Your LMS does not accept LTI resource links here (accept_types has no "
        "ltiResourceLink), which is the only kind of item the eTwinning tool adds. Add the "
        "activity from the course page's activity chooser instead."
    )


class TooManyItemsError(InvalidInputError):
    error = "too_many_items"
    description = N_("Your LMS accepts only one activity here: choose one.")


@dataclass(frozen=True)
class DeepLinkingSettings:
    """The ``deep_linking_settings`` claim, checked and typed."""

    return_url: str
    accept_types: tuple[str, ...]
    accept_multiple: bool
    accept_lineitem: bool | None  # None: the platform did not say (section 4.4)
    title: str | None = None
    text: str | None = None
    has_data: bool = False
    data: Any = None  # opaque; echoed exactly


@dataclass(frozen=True)
class LineItem:
    """AGS line item declared inside an ``ltiResourceLink`` (DL 2.0 section 3.1 "Line item")."""

    label: str
    score_maximum: int
    resource_id: str
    tag: str

    def to_claim(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "scoreMaximum": self.score_maximum,
            "resourceId": self.resource_id,
            "tag": self.tag,
        }


@dataclass(frozen=True)
class ResourceLinkItem:
    title: str
    url: str
    custom: Mapping[str, str]
    text: str = ""
    line_item: LineItem | None = None

    def to_claim(self, *, with_line_item: bool = True) -> dict[str, Any]:
        item: dict[str, Any] = {
            "type": c.LTI_RESOURCE_LINK_ITEM,
            "title": self.title,
            "url": self.url,
            "custom": dict(self.custom),
        }
        if self.text:
            item["text"] = self.text
        if self.line_item is not None and with_line_item:
            item["lineItem"] = self.line_item.to_claim()
        return item


def parse_settings(raw: Mapping[str, Any] | None) -> DeepLinkingSettings:
    """Section 4.4. Refuses what we cannot answer; tolerant of what does not matter to us."""
    settings = raw or {}
    return_url = settings.get("deep_link_return_url")
    if not isinstance(return_url, str) or not _is_http_url(return_url):
        raise MissingReturnUrlError()
    accept_types = settings.get("accept_types")
    types = (
        tuple(t for t in accept_types if isinstance(t, str))
        if isinstance(accept_types, list)
        else ()
    )
    if c.LTI_RESOURCE_LINK_ITEM not in types:
        raise UnsupportedAcceptTypesError()
    return DeepLinkingSettings(
        return_url=return_url,
        accept_types=types,
        # Absent means one item only: the safe reading for a platform that did not say.
        accept_multiple=_flag(settings.get("accept_multiple")) is True,
        accept_lineitem=_flag(settings.get("accept_lineitem")),
        title=_text(settings.get("title")),
        text=_text(settings.get("text")),
        has_data="data" in settings,
        data=settings.get("data"),
    )


def resource_link_item(
    resource: Resource,
    *,
    title: str,
    text: str = "",
    launch_url: str,
    reference: str | None = None,
) -> ResourceLinkItem:
    """An ``ltiResourceLink`` that opens ``resource`` through ``launch_url`` (our /lti/launch).
    ``reference`` (the tool-signed choice, ``etwin_lti.lti.resource_reference``) goes into
    ``custom`` and into the item's ``url`` query, which is the launch's ``target_link_uri``;
    the OIDC redirect URI stays the plain launch URL."""
    parts = urlsplit(launch_url)
    if parts.scheme not in ("http", "https") or parts.query or parts.fragment:
        # Moodle compares redirect URIs byte for byte: the launch URL is never decorated.
        raise ConfigurationError("The tool's launch URL must be a plain http(s) URL.")
    title = (title.strip() or str(resource))[:MAX_TITLE_LENGTH]
    line_item = None
    if resource.kind in GRADED_KINDS:
        line_item = LineItem(
            label=title,
            score_maximum=COMPLETION_SCORE_MAXIMUM,
            resource_id=str(resource),
            tag=COMPLETION_TAG,
        )
    custom = {c.CUSTOM_RESOURCE: str(resource)}
    if reference is not None:
        custom[CUSTOM_REFERENCE] = reference
    return ResourceLinkItem(
        title=title,
        url=url_with_reference(launch_url, reference) if reference is not None else launch_url,
        custom=custom,
        text=text.strip()[:MAX_TEXT_LENGTH],
        line_item=line_item,
    )


def response_claims(
    settings: DeepLinkingSettings,
    items: Sequence[ResourceLinkItem],
    *,
    client_id: str,
    platform_issuer: str,
    deployment_id: str,
    now: datetime,
    nonce: str,
    msg: str | None = None,
    log: str | None = None,
    errormsg: str | None = None,
    errorlog: str | None = None,
    lifetime_seconds: int = RESPONSE_LIFETIME_SECONDS,
) -> dict[str, Any]:
    """Section 4.5. More than one item when the platform accepts one is a 422."""
    if len(items) > 1 and not settings.accept_multiple:
        raise TooManyItemsError(errors={"items": ["your LMS accepts one activity here"]})
    issued_at = int(now.timestamp())
    with_line_items = settings.accept_lineitem is not False  # False: the platform ignores them
    body: dict[str, Any] = {
        c.ISS: client_id,
        c.AUD: platform_issuer,
        c.IAT: issued_at,
        c.EXP: issued_at + lifetime_seconds,
        c.NONCE: nonce,
        c.MESSAGE_TYPE: c.DEEP_LINKING_RESPONSE,
        c.VERSION: c.LTI_VERSION,
        c.DEPLOYMENT_ID: deployment_id,
        c.DL_CONTENT_ITEMS: [item.to_claim(with_line_item=with_line_items) for item in items],
    }
    if settings.has_data:
        body[c.DL_DATA] = settings.data
    for name, value in (
        (c.DL_MSG, msg),
        (c.DL_LOG, log),
        (c.DL_ERRORMSG, errormsg),
        (c.DL_ERRORLOG, errorlog),
    ):
        if value:
            body[name] = value
    return body


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _flag(value: Any) -> bool | None:
    """Booleans, and the "true"/"false" strings some platforms send (pylti1p3 accepts both)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None
