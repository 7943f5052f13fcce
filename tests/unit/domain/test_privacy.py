"""Pure privacy rules: pseudonyms, the founder rule, retention, evidence kept on erasure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from etwin_lti.domain import privacy
from etwin_lti.errors import InvalidInputError


def test_pseudonym_is_neutral_and_upper_case() -> None:
    assert privacy.pseudonym("7f3a") == "Former member 7F3A"


@pytest.mark.parametrize("tag", ["", "7f3", "7f3a9", "zzzz", "7f 3"])
def test_pseudonym_tag_is_four_hex_digits(tag: str) -> None:
    with pytest.raises(ValueError):
        privacy.pseudonym(tag)


def test_founder_of_an_open_project_needs_force() -> None:
    privacy.check_erasable((), force=False)
    privacy.check_erasable((3,), force=True)
    with pytest.raises(privacy.FounderOfOpenProjectError) as refused:
        privacy.check_erasable((3, 5), force=False)
    assert "3, 5" in refused.value.description and refused.value.status_code == 409


def test_retention_cutoff() -> None:
    now = datetime(2030, 6, 1, tzinfo=UTC)
    assert privacy.retention_cutoff(now, 365) == now - timedelta(days=365)
    with pytest.raises(InvalidInputError):
        privacy.retention_cutoff(now, 0)


def test_erased_evidence_drops_the_lms_user_and_records_why() -> None:
    evidence = {"source": "moodle", "moodle_user_id": "42", "moodle_course_id": "7"}
    assert privacy.erased_evidence(evidence, "erased on request") == {
        "source": "moodle",
        "moodle_course_id": "7",
        "revocation_reason": "erased on request",
    }
