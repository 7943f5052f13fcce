"""Every moderation control has its own whole-sentence confirmation (translated as a sentence:
Spanish and French nouns have genders, so none is built from a noun)."""

from __future__ import annotations

from etwin_lti.domain.moderation import ContentKind
from etwin_lti.services.pages.moderation import MESSAGES

OUTCOMES = ("edited", "deleted", "hidden", "restored", "public", "private")


def test_every_kind_and_outcome_has_a_confirmation() -> None:
    expected = {f"{kind.value}_{outcome}" for kind in ContentKind for outcome in OUTCOMES}
    assert set(MESSAGES) == expected
