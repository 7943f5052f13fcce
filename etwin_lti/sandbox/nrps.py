"""The sandbox LMS's Names and Role Provisioning Service (NRPS 2.0), with fault injection.

Spec: https://www.imsglobal.org/spec/lti-nrps/v2p0/ (2.2 membership container, 2.3 paging with
``Link: rel="next"``, 2.4 differences). Built on lti1p3platform 0.1.8's
``NamesRoleProvisioningService`` with its bugs worked around (lti-landscape.md 7.4):

- bug 2: ``handle_get_members`` forwards every query parameter (``rlid``, Moodle's ``type_id``)
  to ``get_member_data_page``: ours takes ``**kwargs``;
- bug 3: ``page + 1`` on a string: ``FlaskLtiRequest`` casts ``page``/``limit`` to int;
- bug 4: the next page is only in the body, and ``generate_next_link`` writes ``rel=next``:
  we emit the ``Link`` header ourselves, in the style a test asks for (``quoted``
  ``rel="next"`` as Moodle's NRPS, ``unquoted`` ``rel=next``, ``curly`` ``rel=“next”`` as
  Moodle's AGS pages). Our next URL keeps every query parameter (``?type_id=`` included).

The bearer token is checked by the library (``validate_token`` with the NRPS scope); a token
that does not verify answers 401.

    GET /nrps/<context_id>/memberships[?limit=&page=&since=&type_id=]   membership container
    GET /roster                                                         visible roster page

``platform.nrps`` (a ``SandboxNrps``) holds the rosters and the knobs: ``set_roster``,
``remove_member``, ``page_size``, ``link_style``, ``offer_differences``, ``faults``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import jwt
from flask import Blueprint, Response, render_template, request
from lti1p3platform.exceptions import LtiException
from lti1p3platform.membership import Context
from lti1p3platform.service_connector import NamesRoleProvisioningService

from etwin_lti.sandbox.lti1p3 import FlaskLtiRequest, SandboxMessageLaunch
from etwin_lti.sandbox.model import NRPS_SCOPE, PendingLaunch

if TYPE_CHECKING:
    from etwin_lti.sandbox.platform import SandboxPlatform

MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LINK_STYLES = {
    "quoted": '<{url}>; rel="{rel}"',
    "unquoted": "<{url}>; rel={rel}",
    "curly": "<{url}>; rel=\u201c{rel}\u201d",
}


@dataclass
class NrpsFaults:
    """What the next requests should get wrong (None: nothing)."""

    fail_page: int | None = None  # this page answers ``fail_status``
    fail_status: int = 503
    malformed_page: int | None = None  # this page's body is not JSON
    loop_page: int | None = None  # this page's ``next`` points back to page 1
    unknown_role: str | None = None  # added to the first member's roles

    def reset(self) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, NrpsFaults.__dataclass_fields__[name].default)


@dataclass
class _Entry:
    member: dict[str, Any]
    version: int
    deleted: bool = False


@dataclass
class SandboxNrps:
    platform: SandboxPlatform
    page_size: int | None = None  # paging when the tool gives no ``limit``
    link_style: str = "quoted"
    offer_differences: bool = False
    type_id: str | None = None  # Moodle-style ``?type_id=N`` on the service URL
    faults: NrpsFaults = field(default_factory=NrpsFaults)
    pages_served: int = 0
    _rosters: dict[str, dict[str, _Entry]] = field(default_factory=dict)
    _version: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- the roster of a course -------------------------------------------------------------
    def memberships_url(self, context_id: str) -> str:
        url = f"{self.platform.issuer}/nrps/{context_id}/memberships"
        return url + (f"?type_id={self.type_id}" if self.type_id else "")

    def set_roster(self, context_id: str, members: list[dict[str, Any]]) -> None:
        """Replace a course's roster: ``{"user_id", "roles", "name"?, "email"?, "status"?}``.
        Users no longer listed become Deleted (hidden from full reads, shown in differences)."""
        with self._lock:
            self._version += 1
            old = self._rosters.get(context_id, {})
            new = {m["user_id"]: _Entry(dict(m), self._version) for m in members}
            for user_id, entry in old.items():
                if user_id not in new:
                    changed = entry.deleted is False
                    new[user_id] = _Entry(
                        entry.member, self._version if changed else entry.version, True
                    )
                elif entry.member == new[user_id].member and not entry.deleted:
                    new[user_id].version = entry.version  # unchanged keeps its version
            self._rosters[context_id] = new

    def remove_member(self, context_id: str, user_id: str) -> None:
        with self._lock:
            self._version += 1
            entry = self._rosters[context_id][user_id]
            entry.deleted, entry.version = True, self._version

    def roster(self, context_id: str) -> list[dict[str, Any]]:
        """The course roster as a full read shows it (Moodle: removed users simply vanish)."""
        with self._lock:
            entries = self._roster_entries(context_id)
            return [dict(e.member) for e in entries.values() if not e.deleted]

    def _roster_entries(self, context_id: str) -> dict[str, _Entry]:
        if context_id not in self._rosters:
            # Default: the sandbox's users are enrolled in every course.
            self._version += 1
            self._rosters[context_id] = {
                u.id: _Entry(
                    {
                        "user_id": u.id,
                        "roles": list(u.roster_roles or u.roles),
                        "name": u.name,
                        "email": u.email,
                    },
                    self._version,
                )
                for u in self.platform.users()
                if u.enrolled and u.in_context(context_id)
            }
        return self._rosters[context_id]

    def page(
        self, context_id: str, page: int, limit: int | None, since: int | None
    ) -> tuple[list[dict[str, Any]], bool]:
        with self._lock:
            entries = list(self._roster_entries(context_id).values())
        if since is None:
            chosen = [dict(e.member) for e in entries if not e.deleted]
        else:
            chosen = [
                {**e.member, "status": "Deleted"} if e.deleted else dict(e.member)
                for e in entries
                if e.version > since
            ]
        if self.faults.unknown_role and chosen and page == 1:
            chosen[0]["roles"] = [*chosen[0].get("roles", []), self.faults.unknown_role]
        if not limit:
            return chosen, False
        start = (page - 1) * limit
        return chosen[start : start + limit], start + limit < len(chosen)

    # --- the launch claim -------------------------------------------------------------------
    def add_claim(self, launch: SandboxMessageLaunch, pending: PendingLaunch) -> None:
        client = self.platform.get_client(pending.client_id)
        if NRPS_SCOPE in client.scopes:  # Moodle: only when the service is switched on
            launch.set_nrps(self.memberships_url(pending.context_id))

    def link(self, url: str, rel: str) -> str:
        return LINK_STYLES[self.link_style].format(url=url, rel=rel)


class _SandboxNrpsService(NamesRoleProvisioningService):
    def __init__(self, lti_request: FlaskLtiRequest, nrps: SandboxNrps, context_id: str) -> None:
        platform = nrps.platform
        client = platform.get_client()
        super().__init__(lti_request, platform._conf(client), nrps.memberships_url(context_id))  # noqa: SLF001
        self._nrps = nrps
        self._context_id = context_id

    def get_member_data_page(
        self,
        page: int = 1,
        limit: int | None = None,
        role: str | None = None,
        since: str | None = None,
        **kwargs: Any,  # 7.4 bug 2: rlid, type_id...
    ) -> dict[str, Any]:
        members, has_next = self._nrps.page(
            self._context_id,
            int(page),
            int(limit) if limit else None,
            int(since) if since is not None and str(since).isdigit() else None,
        )
        if role:
            members = [m for m in members if any(r.endswith(role) for r in m.get("roles", []))]
        return {"content": members, "has_next": has_next}

    def get_context_by_id(self) -> Context:
        context = self._nrps.platform.get_context(self._context_id)
        return Context(id=context.id, label=context.label, title=context.title)

    def is_resource_link_valid(self, context_id: str, resource_link_id: str) -> bool:
        resources = self._nrps.platform.resources()
        return any(r.id == resource_link_id and r.context_id == context_id for r in resources)


def install_nrps(bp: Blueprint, platform: SandboxPlatform) -> SandboxNrps:
    """Add the NRPS routes and the roster page to the sandbox blueprint, and the NRPS claim to
    its launches (idempotent per platform)."""
    nrps: SandboxNrps | None = getattr(platform, "nrps", None)
    if nrps is None:
        nrps = SandboxNrps(platform)
        platform.nrps = nrps  # type: ignore[attr-defined]
        platform.launch_services.append(nrps.add_claim)

    @bp.get("/nrps/<context_id>/memberships")
    def nrps_memberships(context_id: str) -> Response:
        platform.get_context(context_id)  # unknown course: the sandbox's refusal page (400)
        lti_request = FlaskLtiRequest(request)
        query = lti_request.get_data
        if nrps.page_size and "limit" not in query:
            query["limit"] = nrps.page_size
        page_number = int(query.get("page", 1)) if str(query.get("page", 1)).isdigit() else 1
        nrps.pages_served += 1
        faults = nrps.faults
        if faults.fail_page == page_number:
            return Response("busy", status=faults.fail_status)
        if faults.malformed_page == page_number:
            return Response('{"members": [', status=200, mimetype=MEDIA_TYPE)
        service = _SandboxNrpsService(lti_request, nrps, context_id)
        try:
            answer = service.handle_resp(service.handle_get_members)
        except (LtiException, jwt.PyJWTError):
            return Response(
                json.dumps({"error": "invalid_token"}), status=401, mimetype="application/json"
            )
        if answer.code != 200:
            body = json.dumps({"error": answer.message})
            return Response(body, status=answer.code, mimetype="application/json")
        result = dict(answer.result)
        links = []
        base = f"{platform.issuer}/nrps/{context_id}/memberships"
        if result.pop("next", None):
            target = 1 if faults.loop_page == page_number else page_number + 1
            next_query = {**request.args.to_dict(), "page": target, "limit": query["limit"]}
            links.append(nrps.link(base + "?" + urlencode(next_query), "next"))
        if nrps.offer_differences:
            since = {**_keep(request.args.to_dict()), "since": str(nrps._version)}  # noqa: SLF001
            links.append(nrps.link(base + "?" + urlencode(since), "differences"))
        response = Response(json.dumps(result), status=200, mimetype=MEDIA_TYPE)
        if links:
            # Moodle writes the typographic quotes as UTF-8 bytes; HTTP headers are bytes, and
            # werkzeug encodes header strings as Latin-1, so hand it those bytes one by one.
            response.headers["Link"] = ", ".join(links).encode("utf-8").decode("latin-1")
        return response

    @bp.get("/roster")
    def roster() -> str:
        courses = [(context, nrps.roster(context.id)) for context in platform._contexts.values()]  # noqa: SLF001
        return render_template("sandbox/roster.html", platform=platform, courses=courses, nrps=nrps)

    return nrps


def _keep(args: dict[str, str]) -> dict[str, str]:
    """Query parameters a differences URL keeps (Moodle's type_id), without paging."""
    return {k: v for k, v in args.items() if k not in ("page", "limit", "since")}
