"""Bearer-token authentication and role checks for the REST API.

Every view declares what it needs with ``@requires(ApiPermission.X)``; a test walks the URL map
to prove no ``/api/v1`` view lacks it. The token secret is read from the ``Authorization``
header, hashed by the store and never logged.
"""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import UTC, datetime
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from etwin_lti.domain.api_tokens import ApiPermission, ApiToken, ApiTokenRole, roles_allowed
from etwin_lti.errors import AuthenticationError, InvalidInputError, PermissionDeniedError
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


def hub() -> Any:
    return services().hub


def progress() -> Any:
    return services().progress
