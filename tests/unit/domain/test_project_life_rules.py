"""The rules of the project's life (``etwin_lti.domain.projects``, issue 12 item 5): one row
per rule, pure functions, no hub."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from etwin_lti.domain.languages import ISO_639_1
from etwin_lti.domain.model import (
    EducationalLevel,
    Project,
    ProjectStatus,
)
from etwin_lti.domain.projects import (
    NotAProjectFounderError,
    ProjectClosedError,
    check_extension,
    check_project_founder,
    clean_end_date,
    clean_profile,
    nql_evidence,
)
from etwin_lti.errors import InvalidInputError
from tests.unit.domain.builders import a_project

PROJECT = a_project(datetime(2026, 9, 1, tzinfo=UTC), approved_at=datetime(2026, 9, 8, tzinfo=UTC))
TODAY = date(2026, 12, 3)


def test_iso_639_1_has_its_184_codes() -> None:
    assert len(ISO_639_1) == 184
    assert all(len(code) == 2 and code.islower() for code in ISO_639_1)
    assert {"en", "fr", "de", "pl", "uk", "ga", "mt"} <= set(ISO_639_1)


def test_clean_profile_normalises() -> None:
    profile = clean_profile(
        " Plan ",
        ["Art", "art", " Music\tand  songs "],
        ["EN", " fr", "en"],
        ["initial_vet", EducationalLevel.PRIMARY],
    )
    assert profile.description == "Plan"
    assert profile.subjects == ("Art", "Music and songs")
    assert profile.languages == ("en", "fr")
    assert profile.levels == (EducationalLevel.PRIMARY, EducationalLevel.INITIAL_VET)


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("description not text", {"description": 5}, "description"),
    ("subjects not a list", {"subjects": "Art"}, "subjects"),
    ("a subject not text", {"subjects": [3]}, "subjects"),
    ("an empty subject", {"subjects": ["  "]}, "subjects"),
    ("a bidi override in a subject", {"subjects": ["Art\u202e"]}, "subjects"),
    ("eleven subjects", {"subjects": [str(i) for i in range(11)]}, "subjects"),
    ("a language not text", {"languages": [None]}, "languages"),
    ("an ISO 639-2 code", {"languages": ["fra"]}, "languages"),
    ("25 languages", {"languages": ["en"] * 25}, "languages"),
    ("a level not text", {"levels": [1]}, "levels"),
    ("levels not a list", {"levels": None}, "levels"),
]


@pytest.mark.parametrize(("name", "change", "field"), BAD, ids=[b[0] for b in BAD])
def test_clean_profile_refuses(name: str, change: dict[str, Any], field: str) -> None:
    values = {"description": "", "subjects": [], "languages": [], "levels": [], **change}
    with pytest.raises(InvalidInputError) as caught:
        clean_profile(**values)
    assert list(caught.value.errors) == [field]


def test_only_the_founders_lead() -> None:
    check_project_founder(PROJECT, 1)
    check_project_founder(PROJECT, 2)
    with pytest.raises(NotAProjectFounderError):
        check_project_founder(PROJECT, 3)  # a partner


EXTENSIONS = [
    ("today", PROJECT, TODAY, "after today"),
    ("yesterday", PROJECT, date(2026, 12, 2), "after today"),
    (
        "the current end",
        replace(PROJECT, ends_on=date(2027, 6, 30)),
        date(2027, 6, 30),
        "after the current one",
    ),
    ("too far", PROJECT, date(2031, 12, 4), "within 5 years"),
]


@pytest.mark.parametrize(("name", "project", "ends_on", "says"), EXTENSIONS)
def test_extension_refusals(name: str, project: Project, ends_on: date, says: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        check_extension(project, ends_on, TODAY)
    assert says in caught.value.errors["ends_on"][0]


def test_extension_limits() -> None:
    assert check_extension(PROJECT, date(2031, 12, 3), TODAY) == date(2031, 12, 3)
    assert check_extension(PROJECT, date(2029, 2, 28), date(2024, 2, 29)) == date(2029, 2, 28)
    with pytest.raises(ProjectClosedError):
        check_extension(replace(PROJECT, status=ProjectStatus.CLOSED), date(2027, 1, 1), TODAY)


@pytest.mark.parametrize("value", ["2027-01-01", datetime(2027, 1, 1, tzinfo=UTC), None, 20270101])
def test_clean_end_date_wants_a_date(value: object) -> None:
    with pytest.raises(InvalidInputError):
        clean_end_date(value)


def test_nql_evidence_counts_and_never_names() -> None:
    evidence = nql_evidence(
        replace(PROJECT, languages=("en",), ends_on=date(2027, 6, 30)),
        partner_countries={1: "FR", 2: "IT", 3: None},
        pages=4,
        public_pages=1,
        materials=2,
        diary_posts=3,
        diary_comments=5,
        pupils=20,
    )
    assert evidence["countries"] == "FR,IT" and evidence["partners"] == "3"
    assert evidence["approved_on"] == "2026-09-08" and evidence["ends_on"] == "2027-06-30"
    assert all(isinstance(v, str) for v in evidence.values())
    assert "Rivers" not in evidence.values()
