"""``EtwinLtiError.words_for``: the same error, told to a pupil or to an adult."""

from __future__ import annotations

import pytest

from etwin_lti.domain.twinspaces import MembershipSuspendedError
from etwin_lti.errors import EtwinLtiError, InvalidInputError, NotFoundError, Reader
from etwin_lti.lti.errors import LaunchReplayedError, ToolNeedsHttpsError, UnknownIssuerError

ROWS = [
    # (error, what a pupil reads starts with, whom a pupil is sent to)
    (MembershipSuspendedError(), "You cannot go into this TwinSpace", "a teacher administrator"),
    (ToolNeedsHttpsError(), "The activity cannot open here", "your teacher"),
    (UnknownIssuerError(), "This LMS (issuer) is not registered", "your teacher"),
    (LaunchReplayedError(), "This page was already opened", "you: open the activity again"),
    (InvalidInputError(), "Some fields are missing", "you"),
    (NotFoundError(), "This page is not here", "your teacher"),
    (NotFoundError("No such page."), "No such page.", "your teacher"),
]


@pytest.mark.parametrize(("error", "pupil_words", "pupil_who"), ROWS)
def test_a_pupil_reads_their_own_words_and_is_sent_to_someone_they_know(
    error: EtwinLtiError, pupil_words: str, pupil_who: str
) -> None:
    description, who = error.words_for(Reader.PUPIL)
    assert description.startswith(pupil_words)
    assert who.startswith(pupil_who)


@pytest.mark.parametrize("reader", [Reader.ADULT, None])
@pytest.mark.parametrize("error", [row[0] for row in ROWS])
def test_an_adult_reads_the_description_and_the_real_fixer(
    error: EtwinLtiError, reader: Reader | None
) -> None:
    assert error.words_for(reader) == (error.description, error.who_can_fix)
