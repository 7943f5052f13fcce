"""SqlMoodleSiteStore: encryption at rest, bad input, key rotation."""

from __future__ import annotations

import pytest

from etwin_lti.domain.moodle import AcknowledgementTarget, MarkState, TargetKind
from etwin_lti.errors import (
    ConfigurationError,
    InvalidInputError,
    NotFoundError,
    RuleViolationError,
)
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.secret_box import SecretBox
from moodle_bridge.sites import SqlMoodleSiteStore
from tests.support.moodle_world import NOW

KEY = SecretBox.new_key()


@pytest.fixture
def store(database_url: str):  # type: ignore[no-untyped-def]
    database = Database(database_url)
    yield SqlMoodleSiteStore(database, SecretBox([KEY]))
    database.dispose()


@pytest.mark.parametrize(
    ("url", "token", "label", "error_type", "field"),
    [
        ("moodle.example.org", "t", "", InvalidInputError, "url"),
        ("ftp://moodle.example.org", "t", "", InvalidInputError, "url"),
        ("https://moodle.example.org", "   ", "", InvalidInputError, "token"),
        ("https://moodle.example.org", "t", "x" * 201, InvalidInputError, "label"),
    ],
)
def test_add_site_bad_input_writes_nothing(store, url, token, label, error_type, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error_type) as caught:
        store.add_site(url, token, now=NOW, label=label)
    assert field in caught.value.errors
    assert store.list_sites() == []


def test_site_url_is_normalised_and_unique(store) -> None:  # type: ignore[no-untyped-def]
    site = store.add_site("https://moodle.example.org/school/ ", "tok", now=NOW)
    assert (site.url, site.issuer) == ("https://moodle.example.org/school",) * 2
    with pytest.raises(RuleViolationError):
        store.add_site("https://moodle.example.org/school", "other", now=NOW)
    assert store.site_token(site.id) == "tok"


def test_a_removed_encryption_key_is_a_clear_error(store, database_url: str) -> None:  # type: ignore[no-untyped-def]
    site = store.add_site("https://moodle.example.org", "tok", now=NOW)
    database = Database(database_url)
    try:
        with pytest.raises(ConfigurationError, match="moodle add"):
            SqlMoodleSiteStore(database, SecretBox([SecretBox.new_key()])).site_token(site.id)
    finally:
        database.dispose()


def test_mapping_rules(store) -> None:  # type: ignore[no-untyped-def]
    site = store.add_site("https://moodle.example.org", "tok", now=NOW)
    target = AcknowledgementTarget(TargetKind.EDITION, 1)
    with pytest.raises(NotFoundError):
        store.add_mapping(99, 7, target, now=NOW)
    with pytest.raises(InvalidInputError):
        store.add_mapping(site.id, 0, target, now=NOW)
    whole = store.add_mapping(site.id, 7, target, now=NOW)
    one_activity = store.add_mapping(site.id, 7, target, now=NOW, cmid=42)
    assert (whole.cmid, one_activity.cmid) == (None, 42)
    with pytest.raises(RuleViolationError):
        store.add_mapping(site.id, 7, target, now=NOW)
    assert [m.id for m in store.list_mappings(site_id=site.id)] == [whole.id, one_activity.id]


def test_issued_mark_is_never_downgraded(store) -> None:  # type: ignore[no-untyped-def]
    site = store.add_site("https://moodle.example.org", "tok", now=NOW)
    mapping = store.add_mapping(site.id, 7, AcknowledgementTarget(TargetKind.EVENT, 1), now=NOW)
    store.record_mark(mapping.id, 5, MarkState.ISSUED, now=NOW, person_id=3, acknowledgement_id=9)
    kept = store.record_mark(mapping.id, 5, MarkState.GONE, now=NOW)
    assert (kept.state, kept.acknowledgement_id) == (MarkState.ISSUED, 9)
