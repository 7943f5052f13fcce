"""What no input may hold, whatever field it is for: the bounds of the databases we store into.

Both databases refuse some values a JSON parser happily produces: PostgreSQL ``text`` cannot
hold NUL, neither database stores a lone UTF-16 surrogate as UTF-8, and every integer column
is a PostgreSQL ``INTEGER`` (32-bit signed; SQLite's 64-bit ``INTEGER`` is wider). A value
outside those bounds is bad input (422), refused before it reaches a view, not a 500 from the
driver. Deep nesting is refused before parsing: Python's parser recurses once per level.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

INT_MIN = -(2**31)
INT_MAX = 2**31 - 1  # PostgreSQL INTEGER, the narrowest integer column we have
ID_MAX = INT_MAX
MAX_JSON_DEPTH = 32  # our deepest document (a course unit with activities) nests 4 levels

_FORBIDDEN_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
# A JSON string literal, escapes included: its brackets are text, not nesting.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored as text, or None."""
    found = _FORBIDDEN_CHARACTERS.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return "must not contain NUL characters."
    return "must not contain lone surrogates (text must be valid Unicode)."


def json_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a JSON text nests arrays/objects deeper than ``limit``, without parsing it."""
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b'""', raw)):
        depth += 1 if bracket.group() in (b"[", b"{") else -1
        if depth > limit:
            return True
    return False


def value_problems(data: Any, path: str = "_schema") -> dict[str, list[str]]:
    """Each place in parsed JSON (or form/query text) holding a value no field may hold."""
    return {where: [why] for where, why in _walk(data, path)}


def _walk(data: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(data, str):
        problem = text_problem(data)
        if problem:
            yield path, problem
    elif isinstance(data, bool):
        return
    elif isinstance(data, int):
        if not INT_MIN <= data <= INT_MAX:
            yield path, f"must be between {INT_MIN} and {INT_MAX}."
    elif isinstance(data, float):
        if not math.isfinite(data):
            yield path, "must be a finite number."
    elif isinstance(data, dict):
        for key, value in data.items():
            key_text = str(key)
            problem = text_problem(key_text)
            if problem:
                yield path, f"field names {problem}"
                continue
            yield from _walk(value, key_text if path == "_schema" else f"{path}.{key_text}")
    elif isinstance(data, list):
        for index, item in enumerate(data):
            yield from _walk(item, f"{path}.{index}")
