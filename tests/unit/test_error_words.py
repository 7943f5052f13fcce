"""``EtwinLtiError.words_for``: the same error, told to a pupil or to an adult."""

from __future__ import annotations

import pytest

from etwin_lti.domain.teacher_linking import InvitationNotFoundError
from etwin_lti.domain.twinspaces import MembershipSuspendedError
from etwin_lti.errors import (
    EtwinLtiError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    PupilFixer,
    QuotaExceededError,
    Reader,
    RemoteServiceError,
)
from etwin_lti.lti.errors import (
    LaunchReplayedError,
    MissingClaimError,
    ToolNeedsHttpsError,
    UnknownIssuerError,
)
from etwin_lti.services.resource_binding import UnboundResourceError

ROWS = [
    # (error, what a pupil reads starts with, whom a pupil is sent to)
    (MembershipSuspendedError(), "You cannot go into this TwinSpace", "a teacher administrator"),
    (ToolNeedsHttpsError(), "The activity cannot open here", "your teacher"),
    (UnknownIssuerError(), "This LMS (issuer) is not registered", "your teacher"),
    (LaunchReplayedError(), "This page was already opened", "you: open the activity again"),
    (InvalidInputError(), "Some fields are missing", "you"),
    (NotFoundError(), "This page is not here", "your teacher"),
    (NotFoundError("No such page."), "No such page.", "your teacher"),
    (PermissionDeniedError(), "You cannot do this here", "a teacher administrator"),
    (QuotaExceededError(), "This TwinSpace has no room", "a teacher administrator"),
    (InvitationNotFoundError(), "This invitation link", "the teacher administrator"),
    (UnboundResourceError(), "This activity names", "your teacher: add the activity"),
    (RemoteServiceError(), "Something is not working", "your teacher"),
    (
        MissingClaimError("https://purl.imsglobal.org/spec/lti/claim/roles"),
        "The launch",
        "your teacher",
    ),
    # A fixer named by the raiser, not the class: a pupil's teacher unless the raiser says so.
    (PermissionDeniedError("No.", who_can_fix="the NSO of FR"), "No.", "your teacher"),
    (
        PermissionDeniedError(
            "No.", who_can_fix="a teacher of this course", pupil_fixer=PupilFixer.AS_SAID
        ),
        "No.",
        "a teacher of this course",
    ),
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


class _AdministratorsOnly(EtwinLtiError):
    who_can_fix = "un administrador del LMS"  # any language: the attribute decides, not words


class _TheirTeacher(EtwinLtiError):
    who_can_fix = "tu profesora, la Sra. García"
    pupil_fixer = PupilFixer.AS_SAID


def test_whom_a_pupil_is_sent_to_is_the_classs_attribute_never_its_words() -> None:
    assert _AdministratorsOnly().words_for(Reader.PUPIL)[1] == "your teacher"
    assert _TheirTeacher().words_for(Reader.PUPIL)[1] == "tu profesora, la Sra. García"
    # Even an English "teacher" in the text does not send a pupil there by itself.
    assert EtwinLtiError(who_can_fix="your teacher's head").pupil_fixer is PupilFixer.TEACHER


def test_a_missing_claim_says_a_whole_translatable_sentence() -> None:
    missing = MissingClaimError("https://purl.imsglobal.org/spec/lti/claim/roles")
    assert missing.description == "The launch's 'roles' claim is missing."
    assert missing.message == "The launch's '%(claim)s' claim is missing."
    odd = MissingClaimError("nonce", "is not a string")
    assert odd.description == "The launch's 'nonce' claim is not valid."
    assert odd.errors == {"nonce": ["is not a string"]}
