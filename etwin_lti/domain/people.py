"""Who a person may be (domain-facts.md 1.1, 1.4; DESIGN.md "Privacy").

A teacher's country matters only where eTwinning needs it: founding a project (the founders'
countries make it European or national and name the NSOs that validate it), joining one as a
partner and applying for a National Quality Label (the teacher's NSO decides). Teachers who
arrive from an LMS often have no known country, so a teacher may exist without one and sets it
later (``check_country_change``); those steps then refuse with ``CountryRequiredError``. NSO
officers always belong to a country. A country given for a teacher or an NSO officer must still
take part in eTwinning.
Pupils have no platform account: the hub keeps a pseudonym and never an e-mail address for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from etwin_lti.domain.countries import check_country
from etwin_lti.domain.model import Country, Person, PersonKind
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.validation import NAME_MAX, SCHOOL_MAX, FieldErrors
from etwin_lti.errors import InvalidInputError, PermissionDeniedError, RuleViolationError

# Kinds that cannot exist without a country: an NSO is a country's.
KINDS_NEEDING_COUNTRY = frozenset({PersonKind.NSO_OFFICER})
# Kinds whose country, when known, must be an eligible eTwinning country.
KINDS_NEEDING_ELIGIBLE_COUNTRY = frozenset({PersonKind.TEACHER, PersonKind.NSO_OFFICER})


class CountryRequiredError(InvalidInputError):
    """A teacher without a country founds, joins or applies: the field map says what to do."""

    error = "country_required"
    description = N_("A country is needed for this: set it in the eTwinning profile first.")


class CountryLockedError(RuleViolationError):
    error = "country_locked"
    description = N_(
        "Your country decided the scope of the projects you founded and which NSOs validated "
        "them, so it can no longer change."
    )


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
            code = check_person_country(countries, kind, country_code)
        except InvalidInputError as error:
            for field, messages in error.errors.items():
                for message in messages:
                    errors.add(field, message)
    errors.raise_if_any()
    return NewPerson(name, kind, code, cleaned_school, cleaned_email)


def check_new_people(
    drafts: Sequence[NewPerson], countries: Callable[[], Mapping[str, Country]]
) -> list[NewPerson]:
    """Every draft checked as ``check_new_person`` does, before any is written (a roster batch:
    one refusal refuses the batch). ``countries`` is read only when a draft needs the list."""
    needs_list = any(d.country_code is not None or d.kind in KINDS_NEEDING_COUNTRY for d in drafts)
    known = countries() if needs_list else {}
    return [
        check_new_person(
            known,
            d.display_name,
            d.kind,
            country_code=d.country_code,
            school=d.school,
            email=d.email,
        )
        for d in drafts
    ]


def check_person_country(
    countries: Mapping[str, Country], kind: PersonKind, country_code: str | None
) -> str:
    """The normalised code of a known country; eligible too for teachers and NSO officers."""
    return check_country(
        countries, country_code, require_eligible=kind in KINDS_NEEDING_ELIGIBLE_COUNTRY
    ).code


def check_can_set_country(actor: Person, target: Person) -> None:
    """Everyone sets their own country (the launch does it as the person); a tool
    administrator may set anyone's."""
    if actor.id != target.id and actor.kind is not PersonKind.ADMIN:
        raise PermissionDeniedError(N_("Only the person themself sets their country."))


def check_country_change(target: Person, new_code: str, *, has_founded: bool) -> bool:
    """Whether ``new_code`` changes anything. A country is set freely until the person founds a
    project; after that it decided the project's scope and NSOs, so only the same value passes
    (an idempotent repeat) and a different one is a ``CountryLockedError`` (409)."""
    if target.country_code == new_code:
        return False
    if target.country_code is not None and has_founded:
        raise CountryLockedError()
    return True


def clean_display_name(value: str) -> str:
    errors = FieldErrors()
    name = errors.text("display_name", value, max_length=NAME_MAX)
    errors.raise_if_any()
    return name


# Finding a teacher by name (a founder looking for a partner): a few letters at least, so a
# search never lists the whole hub, and one page of answers.
TEACHER_SEARCH_MIN = 3
TEACHER_SEARCH_MAX = 20


def clean_teacher_search(name: str, limit: int) -> tuple[str, int]:
    """The trimmed search text and the limit, or 422 with a field map."""
    text = " ".join(name.split()) if isinstance(name, str) else ""
    errors: dict[str, list[str]] = {}
    if len(text) < TEACHER_SEARCH_MIN:
        errors["name"] = [f"Type at least {TEACHER_SEARCH_MIN} letters of the name."]
    elif len(text) > 100:
        errors["name"] = ["At most 100 characters."]
    if (
        isinstance(limit, bool)
        or not isinstance(limit, int)
        or not 1 <= limit <= TEACHER_SEARCH_MAX
    ):
        errors["limit"] = [f"Between 1 and {TEACHER_SEARCH_MAX}."]
    if errors:
        raise InvalidInputError(errors=errors)
    return text, limit
