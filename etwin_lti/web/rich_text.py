"""Page bodies, Diary posts, comments and forum replies as safe rich text (ADR 0025).

Members write Markdown; every template shows it through one filter, ``|rich_text``, which is
``render``: Markdown to HTML with markdown-it-py (CommonMark, raw HTML off, so ``<script>``
typed into a page stays text), then the HTML cleaned by nh3 against an allow-list (tags,
attributes, URL schemes). Either step alone would be one mistake away from script in a space
full of minors; together the second catches what the first lets through.

- No raw HTML: markdown-it escapes it; nh3 would drop it anyway (``script``/``style`` with
  their content).
- Links: ``http``, ``https`` and ``mailto`` only (``javascript:``, ``data:``, ``vbscript:`` are
  dropped by both libraries), opened in a new tab (the page lives in the LMS iframe) with
  ``rel="noopener noreferrer nofollow"``; relative URLs are dropped too (what is not a scheme
  we allow is no link).
- No images: an ``<img>`` pointing at another server would tell it which pupil opened the page
  (their IP address, the time); photos are materials. ``![alt](url)`` shows as text and link.
- No attributes but a link's ``href`` and ``title``: no ``style``, no ``on*`` handlers, no
  ``class`` or ``id`` that could dress content as the tool's own controls.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup

TAGS = frozenset(
    {
        "p",
        "br",
        "hr",
        "strong",
        "em",
        "del",
        "s",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "h3",
        "h4",
        "h5",
        "h6",
        "a",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Headings start below the page's own h1/h2 (the TwinSpace and its sections).
_HEADING_SHIFT = {f"h{n}": f"h{min(n + 2, 6)}" for n in range(1, 7)}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.disable("image")

    def shifted(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        tokens[idx].tag = _HEADING_SHIFT[tokens[idx].tag]
        return str(renderer.renderToken(tokens, idx, options, env))

    md.add_render_rule("heading_open", shifted)
    md.add_render_rule("heading_close", shifted)
    return md


def render(text: str | None) -> Markup:
    """Markdown to HTML that is safe to put in a page as it is."""
    if not text:
        return Markup("")
    html = _markdown().render(str(text))
    clean = nh3.clean(
        html,
        tags=set(TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
        url_relative="deny",  # "java%09script:..." is no scheme, but no link either
    )
    return Markup(clean)  # noqa: S704  (nh3's output, the allow-list above)


def install_rich_text(app: Flask) -> None:
    """Register ``|rich_text`` for every template."""
    app.jinja_env.filters["rich_text"] = render
