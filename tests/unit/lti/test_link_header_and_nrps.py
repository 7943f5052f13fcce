"""Tables for the sans-IO NRPS pieces: Link headers (RFC 8288) and membership pages."""

from __future__ import annotations

from typing import Any

import pytest

from etwin_lti.domain.rosters import RosterMember, RosterStatus
from etwin_lti.lti.link_header import find_link, parse_links
from etwin_lti.lti.nrps import MalformedRosterPageError, parse_page, unknown_roles

MOODLE = "https://moodle.example/mod/lti/services.php/CourseSection/2/bindings/tool/3/memberships?type_id=3&limit=2&from=2"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('<https://a.example/p2>; rel="next"', "https://a.example/p2"),
        ("<https://a.example/p2>; rel=next", "https://a.example/p2"),
        ("<https://a.example/p2>; rel=\u201cnext\u201d", "https://a.example/p2"),
        # Moodle's UTF-8 quotes as requests hands them over (bytes read as Latin-1)
        (
            "<https://a.example/p2>; rel=\u00e2\u0080\u009cnext\u00e2\u0080\u009d",
            "https://a.example/p2",
        ),
        ('<https://a.example/p2>; REL="NEXT"', "https://a.example/p2"),
        ('<https://a.example/p2>; rel="next differences"', "https://a.example/p2"),
        ('<https://a/first>; rel="first", <https://a/next>; rel="next"', "https://a/next"),
        ('<https://a/d>; rel="differences",<https://a/n>;rel="next"', "https://a/n"),
        (f'<{MOODLE}>; rel="next"', MOODLE),  # query kept exactly
        ("<https://A.example/Page?X=1,2>; rel=next", "https://A.example/Page?X=1,2"),  # no lowering
        ('<https://a/p2>; title="a, b; c"; rel="next"', "https://a/p2"),
        ('<https://a/p2>; rel="prev"', None),
        ("", None),
        (None, None),
        ("garbage without brackets", None),
        ('<https://a/p2; rel="next"', None),  # unterminated URL
    ],
)
def test_find_next_link(header: str | None, expected: str | None) -> None:
    assert find_link(header, "next") == expected


def test_parse_links_keeps_every_link_and_first_rel() -> None:
    links = parse_links('<https://a/1>; rel="next"; rel="prev", <https://a/2>; rel="differences"')
    assert [(link.url, sorted(link.rels)) for link in links] == [
        ("https://a/1", ["next"]),
        ("https://a/2", ["differences"]),
    ]


def page(*members: Any, **extra: Any) -> dict[str, Any]:
    return {"id": "x", "context": {"id": "c1"}, "members": list(members), **extra}


def test_parse_page_tolerates_missing_names_and_drops_emails() -> None:
    parsed = parse_page(
        page(
            {"user_id": "1", "roles": [LIS + "membership#Learner"]},
            {"user_id": 2, "roles": [], "status": "inactive", "name": " Ada ", "email": "a@x"},
            {"user_id": "3", "roles": ["Instructor"], "status": "Deleted", "picture": "p"},
        )
    )
    assert parsed.context_id == "c1"
    assert parsed.members == (
        RosterMember("1", (LIS + "membership#Learner",)),
        RosterMember("2", (), RosterStatus.INACTIVE, "Ada"),
        RosterMember("3", ("Instructor",), RosterStatus.DELETED),
    )


@pytest.mark.parametrize(
    "body",
    [
        [],
        "members",
        {"context": {"id": "c1"}},
        page("not an object"),
        page({"roles": []}),
        page({"user_id": "", "roles": []}),
        page({"user_id": "x" * 256, "roles": []}),
        page({"user_id": True, "roles": []}),
        page({"user_id": "1", "roles": "Learner"}),
        page({"user_id": "1", "roles": [1]}),
        page({"user_id": "1", "roles": [], "status": "Gone"}),
    ],
    ids=[
        "list",
        "string",
        "no-members",
        "member-not-object",
        "no-user-id",
        "empty-user-id",
        "long-user-id",
        "boolean-user-id",
        "roles-not-list",
        "role-not-string",
        "unknown-status",
    ],
)
def test_malformed_pages_are_refused(body: object) -> None:
    with pytest.raises(MalformedRosterPageError) as caught:
        parse_page(body, page=2)
    assert caught.value.status_code == 502
    assert "page 2" in caught.value.description


@pytest.mark.parametrize(
    ("role", "known"),
    [
        (LIS + "membership#Learner", True),
        (LIS + "membership#Instructor", True),
        (LIS + "membership/Instructor#TeachingAssistant", True),
        (LIS + "institution/person#Administrator", True),
        (LIS + "system/person#Administrator", True),
        ("Learner", True),
        ("urn:lti:role:ims/lis/Instructor", True),
        ("urn:lti:role:ims/lis/TeachingAssistant", True),
        (LIS + "membership#Wizard", False),
        ("Wizard", False),
        ("http://example.com/roles#Learner", False),
        ("", False),
    ],
)
def test_unknown_roles(role: str, known: bool) -> None:
    assert (unknown_roles([role]) == []) is known
