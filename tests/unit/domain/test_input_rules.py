"""The bounds every input passes: one row per rule (``etwin_lti.domain.input_rules``)."""

from __future__ import annotations

from typing import Any

import pytest

from etwin_lti.domain.input_rules import (
    INT_MAX,
    INT_MIN,
    MAX_JSON_DEPTH,
    json_too_deep,
    text_problem,
    value_problems,
)

PROBLEMS: dict[str, tuple[Any, dict[str, str]]] = {
    "NUL": ({"title": "a\x00b"}, {"title": "NUL"}),
    "lone high surrogate": ({"title": "a\ud800"}, {"title": "surrogate"}),
    "lone low surrogate in a list": ({"ids": ["ok", "\udfff"]}, {"ids.1": "surrogate"}),
    "NUL in a field name": ({"a\x00": 1}, {"_schema": "field names"}),
    "integer over INTEGER": ({"n": INT_MAX + 1}, {"n": "between"}),
    "integer under INTEGER": ({"deep": {"n": INT_MIN - 1}}, {"deep.n": "between"}),
    "2^63": ([2**63], {"_schema.0": "between"}),
    "NaN": ({"x": float("nan")}, {"x": "finite"}),
    "infinity": ({"x": float("-inf")}, {"x": "finite"}),
}

ACCEPTED: dict[str, Any] = {
    "bounds themselves": {"a": INT_MAX, "b": INT_MIN},
    "booleans are not integers": {"flag": True},
    "any other Unicode": {"t": "é 漢字 😀 \u200b \ufffd"},
    "null and floats": {"x": None, "y": 1.5},
}


@pytest.mark.parametrize("data, expected", PROBLEMS.values(), ids=PROBLEMS.keys())
def test_refused_values_are_named_by_their_place(data: Any, expected: dict[str, str]) -> None:
    found = value_problems(data)
    assert set(found) == set(expected)
    for where, word in expected.items():
        assert word in found[where][0]


@pytest.mark.parametrize("data", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_ordinary_values_pass(data: Any) -> None:
    assert value_problems(data) == {}


def test_text_problem_names_the_character() -> None:
    assert text_problem("fine") is None
    assert "NUL" in (text_problem("\x00") or "")


DEPTHS: dict[str, tuple[bytes, bool]] = {
    "at the cap": (b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH, False),
    "one over": (b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1), True),
    "objects count too": (
        b'{"a":' * (MAX_JSON_DEPTH + 1) + b"1" + b"}" * (MAX_JSON_DEPTH + 1),
        True,
    ),
    "brackets in strings are text": (b'{"a": "' + b"[" * 1000 + b'"}', False),
    "escaped quotes stay in the string": (b'["\\"' + b"[" * 1000 + b'"]', False),
    "wide but shallow": (b"[" + b"[1]," * 10_000 + b"[1]]", False),
}


@pytest.mark.parametrize("raw, deep", DEPTHS.values(), ids=DEPTHS.keys())
def test_depth_is_measured_without_parsing(raw: bytes, deep: bool) -> None:
    assert json_too_deep(raw) is deep
