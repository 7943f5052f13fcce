"""``etwin_lti.domain.paging``: the page number of an embedded list, and hub windows."""

from __future__ import annotations

import pytest

from etwin_lti.domain import paging
from etwin_lti.errors import InvalidInputError, NotFoundError


@pytest.mark.parametrize(
    ("raw", "page"), [(None, 1), ("", 1), ("1", 1), ("2", 2), ("999999999", 999_999_999)]
)
def test_page_numbers(raw: str | None, page: int) -> None:
    assert paging.page_number(raw) == page


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ("0", InvalidInputError),
        ("-1", InvalidInputError),
        ("abc", InvalidInputError),
        ("01", InvalidInputError),
        ("1.0", InvalidInputError),
        (" 2", InvalidInputError),
        ("2 ", InvalidInputError),
        ("+2", InvalidInputError),
        ("٣", InvalidInputError),  # a digit, but not an ASCII one
        ("1000000000", NotFoundError),  # past any list's last page
        ("9" * 4000, NotFoundError),  # never turned into an offset
    ],
)
def test_bad_page_numbers(raw: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        paging.page_number(raw)


def test_offsets_and_last_pages() -> None:
    assert [paging.offset_of(n) for n in (1, 2, 41)] == [0, 50, 2000]
    assert [paging.last_page(n) for n in (0, 1, 50, 51, 2000, 2001)] == [1, 1, 1, 2, 40, 41]
    paging.check_page_exists(1, 0)  # an empty list still has its first page
    paging.check_page_exists(40, 2000)
    with pytest.raises(NotFoundError):
        paging.check_page_exists(41, 2000)
    with pytest.raises(NotFoundError):
        paging.check_page_exists(2, 0)


@pytest.mark.parametrize(
    ("offset", "limit"), [(-1, 1), (0, 0), (0, 501), (10**11 + 1, 1), (True, 1), (0, "5")]
)
def test_bad_windows(offset: object, limit: object) -> None:
    with pytest.raises(InvalidInputError):
        paging.check_window(offset, limit)  # type: ignore[arg-type]


@pytest.mark.parametrize("ids", [[], list(range(1, 502)), [0], [-3], ["1"], [True], "12", None])
def test_bad_people_lists(ids: object) -> None:
    with pytest.raises(InvalidInputError):
        paging.check_people(ids)
