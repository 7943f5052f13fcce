"""Every text a person reads in a template goes through gettext (ADR 0029).

The templates are lexed with Jinja's own lexer; the literal text outside ``{{ }}``, ``{% %}`` and
``{% trans %}`` blocks is parsed as HTML, and every text node and human-read attribute
(``title``, ``alt``, ``placeholder``, ``aria-label``) must hold nothing but brand names, codes
and punctuation.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Environment

TEMPLATES = Path(__file__).parents[3] / "etwin_lti" / "web" / "templates"
HUMAN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}
# Elements whose text is not prose: scripts, styles, and code samples shown as they are typed.
VERBATIM = {"script", "style", "code"}
# Names that read the same in every language.
BRANDS = {"etwinning", "twinspace", "twinspaces", "etwin-lti", "lti", "lms", "csv", "pdf", "http"}
BRAND_PHRASES = ("Open Badge",)
# Blocks that hold a class name, not text.
ATTRIBUTE_BLOCKS = {"main_class"}
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_GAP = "\x00"  # where an expression or tag was


def literal_text(source: str) -> str:
    """The template's literal HTML outside Jinja tags and trans blocks, gaps marked."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    parts: list[str] = []
    in_trans = in_attribute = False
    tag: list[str] = []  # the names of the block tag being read
    for _line, kind, value in env.lex(source):
        if kind == "whitespace":
            continue
        if kind == "block_begin":
            tag = ["{%"]
            parts.append(_GAP)
            continue
        if tag and kind == "name":
            tag.append(value)
            if tag[1:] == ["trans"] or tag[1:2] == ["pluralize"]:
                in_trans = True
            elif tag[1:] == ["endtrans"]:
                in_trans = False
            elif len(tag) == 3 and tag[1] == "block" and value in ATTRIBUTE_BLOCKS:
                in_attribute = True
            elif tag[1:] == ["endblock"]:
                in_attribute = False
            continue
        if kind == "block_end":
            tag = []
        if kind == "data" and not in_trans and not in_attribute:
            parts.append(value)
        elif kind in ("variable_begin",):
            parts.append(_GAP)
    return "".join(parts)


class _Texts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._verbatim = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VERBATIM:
            self._verbatim += 1
        self.found.extend(v for k, v in attrs if k in HUMAN_ATTRIBUTES and v)

    def handle_endtag(self, tag: str) -> None:
        if tag in VERBATIM and self._verbatim:
            self._verbatim -= 1

    def handle_data(self, data: str) -> None:
        if not self._verbatim:
            self.found.append(data)


def unwrapped(source: str) -> list[str]:
    parser = _Texts()
    parser.feed(literal_text(source))
    parser.close()
    bad = []
    for text in parser.found:
        for phrase in BRAND_PHRASES:
            text = text.replace(phrase, _GAP)
        words = [w for w in _WORD.findall(text.replace(_GAP, " ")) if w.lower() not in BRANDS]
        if words:
            bad.append(" ".join(text.replace(_GAP, "…").split()))
    return bad


@pytest.mark.parametrize(
    "template", sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))
)
def test_template_text_is_wrapped_for_translation(template: str) -> None:
    assert unwrapped((TEMPLATES / template).read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello</p>", ["Hello"]),
        ('<p>{{ _("Hello") }}</p>', []),
        ("<p>{% trans %}Hello {{ name }}{% endtrans %}</p>", []),
        ('<button aria-label="Save {{ x }}">{{ _("Save") }}</button>', ["Save …"]),
        ("<p>eTwinning · {{ n }} / {{ m }}</p>", []),
        ("<code>Authorization: Bearer</code>", []),
        ("{# a comment is never shown #}<p>{{ x }}.</p>", []),
    ],
)
def test_the_scanner_itself(source: str, expected: list[str]) -> None:
    assert unwrapped(source) == expected
