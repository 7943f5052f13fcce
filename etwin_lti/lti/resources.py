"""The ``etwin_resource`` custom parameter: which eTwinning resource a resource link opens.

Moodle matches redirect URIs exactly, so the choice travels in the launch's custom claim
(LTI Core 1.3, section 5.4.6, https://www.imsglobal.org/spec/lti/v1p3/#custom-properties-and-variable-substitution),
set by our deep-linking response: ``twinspace:<id>``, ``event:<id>`` or ``unit:<id>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from etwin_lti.domain.launches import Resource, ResourceKind
from etwin_lti.lti.claims import CUSTOM_RESOURCE
from etwin_lti.lti.errors import MissingResourceError

_VALUE = re.compile(r"^(twinspace|event|unit):([1-9][0-9]{0,17})$")


def parse_resource(value: str) -> Resource:
    match = _VALUE.match(value.strip().lower())
    if match is None:
        raise MissingResourceError(
            "This activity's eTwinning resource is not valid "
            "(expected twinspace:<id>, event:<id> or unit:<id>).",
            errors={CUSTOM_RESOURCE: ["must be twinspace:<id>, event:<id> or unit:<id>"]},
        )
    return Resource(ResourceKind(match.group(1)), int(match.group(2)))


def resource_from_custom(custom: Mapping[str, str]) -> Resource:
    value = custom.get(CUSTOM_RESOURCE)
    if not value:
        raise MissingResourceError()
    return parse_resource(value)
