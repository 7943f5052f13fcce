"""What certificates and badge pages say: dates in words, who issued what, the kinds' names."""

from __future__ import annotations

from datetime import date

import pytest

from etwin_lti.domain.model import AcknowledgementKind as Kind
from etwin_lti.services import badges


def test_dates_in_words_leave_no_doubt_about_day_and_month() -> None:
    assert badges.long_date(date(2026, 12, 4)) == "4 December 2026"
    assert badges.long_date(date(2027, 1, 31)) == "31 January 2027"


def test_a_period_needs_both_ends() -> None:
    whole = badges.SubjectDetails("Course", date(2026, 1, 12), date(2026, 6, 30))
    assert badges.period_text(whole) == "12 January 2026 – 30 June 2026"
    assert badges.period_text(badges.SubjectDetails("A project")) is None


@pytest.mark.parametrize(
    ("kind", "issuer"),
    [
        (Kind.COURSE_CERTIFICATE, "eTwinning NSO Malta"),
        (Kind.EVENT_CERTIFICATE, "eTwinning NSO Malta"),
        (Kind.NATIONAL_QUALITY_LABEL, "the eTwinning National Support Organisation, recorded by"),
        (Kind.EUROPEAN_QUALITY_LABEL, "the eTwinning Central Support Service, recorded by"),
        (Kind.ETWINNING_LABEL, "the National Support Organisations of the founders, recorded by"),
    ],
)
def test_certificates_name_their_organiser_labels_the_body_that_decided(
    kind: Kind, issuer: str
) -> None:
    assert badges.issuing_body(kind, "eTwinning NSO Malta").startswith(issuer)


def test_every_kind_has_its_words_and_etwinning_its_capital_t() -> None:
    for table in (
        badges.KIND_NAMES,
        badges.KIND_LABELS,
        badges.KIND_HEADINGS,
        badges.KIND_CRITERIA,
    ):
        assert set(table) == set(Kind)
        assert not any("Etwinning" in words for words in table.values())
    assert badges.KIND_LABELS[Kind.ETWINNING_LABEL] == "eTwinning label"
