"""Bearer-token authentication and role checks for the REST API.

Every view declares what it needs with ``@requires(ApiPermission.X)``; a test walks the URL map
to prove no ``/api/v1`` view lacks it (and ``tests/integration/authz`` walks every route with
every actor). What an answer may contain for a role is ``etwin_lti.domain.api_access``; the
``*_view`` helpers below apply it to what the hub answered. The token secret is read from the
``Authorization`` header, hashed by the store and never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from etwin_lti.domain import api_access
from etwin_lti.domain.api_tokens import ApiPermission, ApiToken, ApiTokenRole, roles_allowed
from etwin_lti.domain.audit import AuditActor
from etwin_lti.domain.model import DiaryPost, Person, PersonKind
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from etwin_lti.errors import (
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from etwin_lti.services.audit import acting_as
from etwin_lti.web.container import services

F = TypeVar("F", bound=Callable[..., Any])

ROLES_FOR = {p: [r.value for r in roles_allowed(p)] for p in ApiPermission}


def requires(permission: ApiPermission) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            token = _authenticate()
            if not token.allows(permission):
                raise PermissionDeniedError(
                    "This API token's role does not allow this.",
                    who_can_fix="the tool administrator (etwin-lti token create)",
                )
            g.api_token = token
            with acting_as(AuditActor.token(token.id, token.role.value)):
                return view(*args, **kwargs)

        wrapper.api_permission = permission  # type: ignore[attr-defined]
        # Shown in the OpenAPI document next to each operation.
        apidoc = deepcopy(getattr(wrapper, "_apidoc", {}))
        apidoc.setdefault("manual_doc", {})["x-token-roles"] = ROLES_FOR[permission]
        wrapper._apidoc = apidoc  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def _authenticate() -> ApiToken:
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise AuthenticationError()
    store = services().api_tokens
    token: ApiToken = store.authenticate(secret.strip(), now=datetime.now(UTC))
    if token.role is ApiTokenRole.NSO_OFFICER:  # a country can leave eTwinning after issue
        api_access.check_token_country(token, hub().list_countries())
    return token


def current_token() -> ApiToken:
    token: ApiToken = g.api_token
    return token


def nso_country(requested: str | None) -> str:
    """The NSO acting: an officer's token is bound to its country; an admin names it."""
    token = current_token()
    if token.role is ApiTokenRole.NSO_OFFICER:
        assert token.country_code is not None
        if requested is not None and requested.upper() != token.country_code:
            raise PermissionDeniedError(
                f"This token belongs to the NSO of {token.country_code}.",
                who_can_fix="the NSO of that country",
            )
        return token.country_code
    if not requested:
        raise InvalidInputError(errors={"nso_country_code": ["Required with an admin token."]})
    return requested


def viewer(requested: int | None) -> int | None:
    """Only admin tokens may read as a given person; without one the hub shows public items
    only, so officers never see pupils' private work."""
    if requested is not None and current_token().role is not ApiTokenRole.ADMIN:
        raise PermissionDeniedError("Only admin tokens may read as a person (viewer_id).")
    return requested


def person_view(person: Person) -> Person:
    return api_access.person_for(current_token(), person)


def check_reads_pupils_content(what: str) -> None:
    api_access.check_reads_pupils_content(current_token(), what)


def diary_view(posts: list[DiaryPost]) -> list[DiaryPost]:
    token = current_token()
    if api_access.reads_pupils_content(token):
        return posts
    return api_access.diary_for(token, posts, _kinds(api_access.comment_authors(posts)))


def snapshot_view(snapshot: TwinSpaceSnapshot) -> TwinSpaceSnapshot:
    token = current_token()
    if api_access.reads_pupils_content(token):
        return snapshot
    kinds = _kinds(api_access.comment_authors(snapshot.diary))
    return api_access.snapshot_for(token, snapshot, kinds)


def _kinds(person_ids: set[int]) -> dict[int, PersonKind]:
    """Comment authors' kinds; an erased author is left out (so their comment is too)."""
    kinds = {}
    for person_id in sorted(person_ids):
        try:
            kinds[person_id] = hub().get_person(person_id).kind
        except NotFoundError:
            continue
    return kinds


def hub() -> Any:
    return services().hub


def progress() -> Any:
    return services().progress
