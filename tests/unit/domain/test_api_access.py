"""``domain.api_access``: what each token role may read, one row per rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from etwin_lti.domain import api_access
from etwin_lti.domain.api_tokens import (
    ApiCaller,
    ApiPermission,
    ApiToken,
    ApiTokenRole,
    check_new_token,
    needs_last_used_update,
)
from etwin_lti.domain.model import Country, DiaryComment, DiaryPost, Person, PersonKind
from etwin_lti.errors import InvalidInputError, PermissionDeniedError

NOW = datetime(2030, 1, 1, tzinfo=UTC)
COUNTRIES = [
    Country("FR", "France", "Réseau Canopé", "erasmus_plus", True),
    Country("CH", "Switzerland", "Movetia", "erasmus_plus", False),
]


def token(role: ApiTokenRole, country: str | None = None) -> ApiToken:
    return ApiToken(1, role, "", NOW, country_code=country)


ADMIN = token(ApiTokenRole.ADMIN)
NSO_FR = token(ApiTokenRole.NSO_OFFICER, "FR")
NSO_DE = token(ApiTokenRole.NSO_OFFICER, "DE")
CSS = token(ApiTokenRole.CSS_OFFICER)


@pytest.mark.parametrize(
    ("who", "refused"),
    [
        (ADMIN, False),
        (CSS, False),
        (NSO_FR, False),
        (token(ApiTokenRole.NSO_OFFICER, "CH"), True),  # left eTwinning
        (token(ApiTokenRole.NSO_OFFICER, "ZZ"), True),  # not in the list
    ],
)
def test_nso_tokens_need_an_eligible_country(who: ApiToken, refused: bool) -> None:
    if refused:
        with pytest.raises(PermissionDeniedError):
            api_access.check_token_country(who, COUNTRIES)
    else:
        api_access.check_token_country(who, COUNTRIES)


@pytest.mark.parametrize(
    ("who", "country", "shown"),
    [
        (ADMIN, "DE", True),
        (NSO_FR, "FR", True),
        (NSO_FR, "DE", False),
        (NSO_FR, None, False),
        (CSS, "FR", False),
    ],
)
def test_e_mail_only_to_admins_and_the_persons_own_nso(
    who: ApiToken, country: str | None, shown: bool
) -> None:
    person = Person(1, "Anne", PersonKind.TEACHER, country_code=country, email="a@b.example")
    seen = api_access.person_for(who, person)
    assert seen.email == ("a@b.example" if shown else None)
    assert seen.display_name == "Anne"


def comment(id: int, author: int) -> DiaryComment:
    return DiaryComment(id, 10, author, "text", NOW)


@pytest.mark.parametrize(
    ("who", "kept"),
    [(ADMIN, [1, 2, 3, 4]), (NSO_FR, [1, 3]), (NSO_DE, [1, 3]), (CSS, [1, 3])],
)
def test_officers_get_no_pupils_comments(who: ApiToken, kept: list[int]) -> None:
    post = DiaryPost(
        10,
        5,
        100,
        "Week 1",
        "Body",
        NOW,
        (comment(1, 100), comment(2, 200), comment(3, 300), comment(4, 999)),
    )
    kinds = {100: PersonKind.TEACHER, 200: PersonKind.PUPIL, 300: PersonKind.EXPERT}  # 999 erased
    [seen] = api_access.diary_for(who, [post], kinds)
    assert [c.id for c in seen.comments] == kept
    assert api_access.comment_authors([post]) == {100, 200, 300, 999}


@pytest.mark.parametrize(("who", "reads"), [(ADMIN, True), (NSO_FR, False), (CSS, False)])
def test_the_forum_is_for_admin_tokens(who: ApiToken, reads: bool) -> None:
    assert api_access.reads_pupils_content(who) is reads
    if not reads:
        with pytest.raises(PermissionDeniedError):
            api_access.check_reads_pupils_content(who, "The forum")


# --- teachers (issue 12 item 7): a person-bound caller -------------------------------------------

TEACHER = ApiCaller.of_launch(7)


@pytest.mark.parametrize(
    ("person", "shown"),
    [
        (Person(7, "Me", PersonKind.TEACHER, "FR", email="me@school.example"), True),
        (Person(8, "Colleague", PersonKind.TEACHER, "FR", email="c@school.example"), False),
    ],
)
def test_a_teacher_sees_only_their_own_e_mail(person: Person, shown: bool) -> None:
    assert (api_access.person_for(TEACHER, person).email is not None) is shown


def test_teacher_callers_read_members_work_once_scoped() -> None:
    """The web layer scoped the request to the teacher's TwinSpaces; the domain then keeps what
    the hub answered for that member (pupils' comments included, as the page shows them)."""
    assert api_access.reads_pupils_content(TEACHER)
    assert api_access.reads_pupils_content(ApiCaller.of_token(token(ApiTokenRole.TEACHER)))


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("teacher", None, "", None), "person_id"),  # a teacher's token: one teacher
        (("admin", None, "", 7), "person_id"),  # only teachers' tokens belong to a person
        (("teacher", "FR", "", 7), "country_code"),
        (("teacher", None, "", 7, 0), "days"),
        (("teacher", None, "", 7, 366), "days"),
        (("teacher", None, "tab\there", 7), "label"),
    ],
)
def test_new_token_rules(args: tuple[object, ...], field: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        check_new_token(*args)  # type: ignore[arg-type]
    assert field in refused.value.errors


def test_a_teacher_caller_has_read_and_write_only() -> None:
    assert {p for p in ApiPermission if TEACHER.allows(p)} == {
        ApiPermission.READ,
        ApiPermission.WRITE,
    }


@pytest.mark.parametrize(
    ("last", "seconds", "write"),
    [(None, 0, True), (0, 59, False), (0, 60, True), (0, 3600, True)],
)
def test_last_used_is_written_at_most_once_a_minute(
    last: int | None, seconds: int, write: bool
) -> None:
    last_used = None if last is None else NOW + timedelta(seconds=last)
    assert needs_last_used_update(last_used, NOW + timedelta(seconds=seconds)) is write


def test_a_teacher_token_stops_at_its_expiry() -> None:
    expiring = ApiToken(1, ApiTokenRole.TEACHER, "", NOW, person_id=7, expires_at=NOW)
    assert expiring.usable(NOW - timedelta(seconds=1))
    assert not expiring.usable(NOW)
