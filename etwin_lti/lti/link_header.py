"""The HTTP ``Link`` header (RFC 8288, section 3), as LMSs actually send it.

NRPS 2.0 section 2.3 and AGS 2.0 page with ``Link: <url>; rel="next"``. What real platforms
send, all accepted here (lti-landscape.md 5.7, 7.4, 8.9):

- several links in one header, comma-separated, or several headers joined by commas;
- ``rel="next"`` (quoted), ``rel=next`` (a token, RFC-valid; lti1p3platform's default);
- typographic quotes ``rel=“next”`` (Moodle's AGS pages), whether the client decoded the header
  bytes as UTF-8 or (as ``requests`` does) as Latin-1: strict parsers silently stop at page 1;
- several relation types in one ``rel`` (``rel="next differences"``), in any letter case.

The URL between ``<`` and ``>`` is returned exactly as sent: never lower-cased, never
re-encoded (Moodle's ``?type_id=`` and signed query strings must survive).
"""

from __future__ import annotations

from dataclasses import dataclass, field

_OPEN_QUOTES = {'"': '"', "\u201c": '\u201d\u201c"', "\u201d": '\u201d\u201c"'}


@dataclass(frozen=True)
class Link:
    url: str
    rels: frozenset[str]  # lower-cased relation types
    params: dict[str, str] = field(default_factory=dict, compare=False)


def parse_links(header: str | None) -> list[Link]:
    """Every well-formed link in the header, in order; garbage between links is skipped."""
    links: list[Link] = []
    if not header:
        return links
    text = _utf8(header)
    i, n = 0, len(text)
    while i < n:
        start = text.find("<", i)
        if start < 0:
            break
        end = text.find(">", start + 1)
        if end < 0:
            break
        url = text[start + 1 : end].strip()
        params, i = _params(text, end + 1)
        rels = frozenset(r.lower() for r in params.get("rel", "").split())
        if url:
            links.append(Link(url, rels, params))
    return links


def find_link(header: str | None, rel: str) -> str | None:
    """The URL of the first link with this relation type (case-insensitive), or None."""
    wanted = rel.lower()
    for link in parse_links(header):
        if wanted in link.rels:
            return link.url
    return None


def _utf8(header: str) -> str:
    """HTTP clients decode header bytes as Latin-1 (RFC 9110 5.5); Moodle's typographic quotes
    are UTF-8 bytes, so they arrive as ``â\x80\x9c``. Re-read such a header as UTF-8."""
    if header.isascii():
        return header
    try:
        return header.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return header


def _params(text: str, i: int) -> tuple[dict[str, str], int]:
    """Parse ``; name=value`` pairs after a ``<url>`` up to the comma ending this link."""
    params: dict[str, str] = {}
    n = len(text)
    while i < n:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            break
        if text[i] == ",":
            return params, i + 1
        if text[i] != ";":
            i += 1  # tolerate stray characters
            continue
        i += 1
        name_start = i
        while i < n and text[i] not in "=;,":
            i += 1
        name = text[name_start:i].strip().lower()
        value = ""
        if i < n and text[i] == "=":
            i += 1
            while i < n and text[i] in " \t":
                i += 1
            if i < n and text[i] in _OPEN_QUOTES:
                closers = _OPEN_QUOTES[text[i]]
                i += 1
                chars: list[str] = []
                while i < n and text[i] not in closers:
                    if text[i] == "\\" and i + 1 < n:
                        i += 1
                    chars.append(text[i])
                    i += 1
                value = "".join(chars)
                i += 1  # the closing quote
            else:
                value_start = i
                while i < n and text[i] not in ";,":
                    i += 1
                value = text[value_start:i].strip()
        if name and name not in params:  # RFC 8288 3.3: only the first rel counts
            params[name] = value
    return params, i
