"""Countries are data, not code (domain-facts.md 1.2: the list changes almost yearly).

The list ships as ``etwin_lti/data/countries.json``: ``{"version": ..., "countries": [...]}``.
``parse_country_list`` checks it; the hub stores it with its version. A country that left the
programme (the United Kingdom on 31 Dec 2020, Switzerland outside Erasmus+) stays in the list
with ``eligible: false`` so that old projects keep resolving their founders' countries, while no
new teacher, project or NSO decision can use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from etwin_lti.domain.model import Country
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError

PROGRAMMES = frozenset(
    {
        "erasmus_plus",  # EU Member States and Erasmus+ associated countries
        "etwinning_plus",  # AM, AZ, GE, JO, LB, MD, TN, UA (domain-facts.md 1.2)
        "partner",  # other participating neighbours (AL, BA, XK) named in domain-facts.md 1.2
    }
)
_CODE = re.compile(r"^[A-Z]{2}$")
_VERSION = re.compile(r"^[0-9A-Za-z.\-]{1,32}$")


@dataclass(frozen=True)
class CountryList:
    version: str
    countries: tuple[Country, ...]

    def by_code(self) -> dict[str, Country]:
        return {country.code: country for country in self.countries}


def parse_country_list(data: Mapping[str, Any]) -> CountryList:
    """Check the shipped document; any defect is a packaging bug, reported field by field."""
    problems: dict[str, list[str]] = {}
    version = data.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        problems.setdefault("version", []).append("Must be a short version string.")
    entries = data.get("countries")
    if not isinstance(entries, list) or not entries:
        problems.setdefault("countries", []).append("Must be a non-empty list.")
        entries = []
    countries: list[Country] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        where = f"countries[{index}]"
        try:
            country = _parse_country(entry)
        except (KeyError, TypeError, ValueError) as error:
            problems.setdefault(where, []).append(str(error))
            continue
        if country.code in seen:
            problems.setdefault(where, []).append(f"Duplicate code {country.code}.")
        seen.add(country.code)
        countries.append(country)
    if problems:
        raise InvalidInputError(N_("The country list is not valid."), errors=problems)
    return CountryList(
        version=str(version), countries=tuple(sorted(countries, key=lambda c: c.code))
    )


def _parse_country(entry: Any) -> Country:
    if not isinstance(entry, Mapping):
        raise TypeError(N_("Must be an object."))
    unknown = set(entry) - {"code", "name", "nso", "programme", "eligible"}
    if unknown:
        raise ValueError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    code, name, nso, programme = entry["code"], entry["name"], entry["nso"], entry["programme"]
    eligible = entry.get("eligible", True)
    if not isinstance(code, str) or not _CODE.match(code):
        raise ValueError(N_("code must be two capital letters (ISO 3166-1 alpha-2)."))
    if not isinstance(name, str) or not name.strip():
        raise ValueError(N_("name must not be empty."))
    if not isinstance(nso, str) or not nso.strip():
        raise ValueError(N_("nso must not be empty."))
    if programme not in PROGRAMMES:
        raise ValueError(f"programme must be one of {', '.join(sorted(PROGRAMMES))}.")
    if not isinstance(eligible, bool):
        raise ValueError(N_("eligible must be true or false."))
    return Country(code=code, name=name, nso=nso, programme=programme, eligible=eligible)


def normalise_code(code: str) -> str:
    return code.strip().upper()


def check_country(
    countries: Mapping[str, Country] | Iterable[Country],
    code: str | None,
    *,
    field: str = "country_code",
    require_eligible: bool = True,
) -> Country:
    """The country for ``code``; unknown or (when required) ineligible codes are a 422."""
    by_code = dict(countries) if isinstance(countries, Mapping) else {c.code: c for c in countries}
    if not isinstance(code, str) or not code.strip():
        raise InvalidInputError(errors={field: ["A country is required."]})
    country = by_code.get(normalise_code(code))
    if country is None:
        raise InvalidInputError(errors={field: [f"Unknown country '{code}'."]})
    if require_eligible and not country.eligible:
        raise InvalidInputError(
            errors={field: [f"{country.name} no longer takes part in eTwinning."]}
        )
    return country
