"""Who a person may be (domain-facts.md 1.1, 1.4; DESIGN.md "Privacy").

Teachers are eTwinners validated by the NSO of their country, so they need an eligible country.
Pupils have no platform account: the hub keeps a pseudonym and never an e-mail address for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from etwin_lti.domain.countries import check_country
from etwin_lti.domain.model import Country, PersonKind
from etwin_lti.domain.validation import NAME_MAX, SCHOOL_MAX, FieldErrors
from etwin_lti.errors import InvalidInputError

# Kinds that must belong to an eligible eTwinning country.
KINDS_NEEDING_COUNTRY = frozenset({PersonKind.TEACHER, PersonKind.NSO_OFFICER})


@dataclass(frozen=True)
class NewPerson:
    display_name: str
    kind: PersonKind
    country_code: str | None
    school: str | None
    email: str | None


def check_new_person(
    countries: Mapping[str, Country],
    display_name: str,
    kind: PersonKind | str,
    *,
    country_code: str | None,
    school: str | None,
    email: str | None,
) -> NewPerson:
    errors = FieldErrors()
    name = errors.text("display_name", display_name, max_length=NAME_MAX)
    try:
        kind = PersonKind(kind)
    except ValueError:
        errors.add("kind", f"Unknown kind '{kind}'.")
        errors.raise_if_any()
        raise  # unreachable: raise_if_any raised
    cleaned_school = errors.optional_text("school", school, max_length=SCHOOL_MAX)
    if kind is PersonKind.PUPIL and email is not None:
        # DESIGN.md "Privacy": store no e-mail for pupils, whatever the LMS sends.
        errors.add("email", "A pupil's e-mail address is never stored.")
        cleaned_email = None
    else:
        cleaned_email = errors.email("email", email)
    code: str | None = None
    if kind in KINDS_NEEDING_COUNTRY or country_code is not None:
        try:
            code = check_country(
                countries, country_code, require_eligible=kind in KINDS_NEEDING_COUNTRY
            ).code
        except InvalidInputError as error:
            for field, messages in error.errors.items():
                for message in messages:
                    errors.add(field, message)
    errors.raise_if_any()
    return NewPerson(name, kind, code, cleaned_school, cleaned_email)


def clean_display_name(value: str) -> str:
    errors = FieldErrors()
    name = errors.text("display_name", value, max_length=NAME_MAX)
    errors.raise_if_any()
    return name
