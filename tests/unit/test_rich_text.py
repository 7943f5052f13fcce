"""``|rich_text``: Markdown in, HTML that cannot run script or load anything out (ADR 0025).

Hostile input is a table: what a member could type into a page, a Diary post or a reply, and
what must not survive. Every row is also checked against the general rules (no tag or attribute
outside the allow-list, no scheme but http/https/mailto)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from etwin_lti.web.rich_text import ATTRIBUTES, TAGS, render

# (why, what a member types, the tag, attribute or href scheme that must not come out of it)
HOSTILE = [
    ("script tag", "<script>alert(1)</script>", "tag:script"),
    ("script in a paragraph", "Hello <script>document.cookie</script> world", "tag:script"),
    ("img onerror", "<img src=x onerror=alert(1)>", "tag:img"),
    ("svg onload", "<svg onload=alert(1)>", "tag:svg"),
    ("iframe", '<iframe src="https://evil.example"></iframe>', "tag:iframe"),
    ("javascript: link", "[click](javascript:alert(1))", "href:javascript"),
    ("mixed-case javascript: link", "[click](JaVaScRiPt:alert(1))", "href:javascript"),
    ("entity-split javascript: link", "[click](java&#x09;script:alert(1))", "href:java"),
    ("javascript: autolink", "<javascript:alert(1)>", "href:javascript"),
    ("vbscript: link", "[click](vbscript:msgbox(1))", "href:vbscript"),
    (
        "data: HTML link",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "href:data",
    ),
    ("data: image link", "[x](data:image/png;base64,iVBORw0KGgo=)", "href:data"),
    ("markdown image (tracking pixel)", "![me](https://tracker.example/p.gif)", "tag:img"),
    ("raw anchor with javascript:", '<a href="javascript:alert(1)">x</a>', "href:javascript"),
    (
        "handler through a link title",
        '[x](https://e.org "a\\" onmouseover=\\"alert(1)")',
        "attr:onmouseover",
    ),
    ("nested script", "<scr<script>ipt>alert(1)</scr</script>ipt>", "tag:script"),
    ("style tag", "<style>body{display:none}</style>", "tag:style"),
    ("inline style", '<p style="position:fixed">x</p>', "attr:style"),
    ("html comment", "<!-- <script>alert(1)</script> -->", "tag:script"),
    ("form", '<form action="https://evil.example"><input name=x></form>', "tag:form"),
    ("relative link to the tool", "[admin](/admin/audit)", "href:/"),
    ("reference-style javascript:", "[x][1]\n\n[1]: javascript:alert(1)", "href:javascript"),
    ("code block keeps tags as text", "```\n<script>alert(1)</script>\n```", "tag:script"),
]
SAFE_ATTRIBUTES = {"href", "title", "target", "rel", "start"}


class Structure(HTMLParser):
    """What a browser would build from the output: elements, attributes, link targets."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: set[str] = set()
        self.comments = 0
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.add(f"tag:{tag}")
        for name, value in attrs:
            self.found.add(f"attr:{name}")
            if name == "href":
                self.found.add(f"href:{value or ''}")

    def handle_comment(self, data: str) -> None:
        self.comments += 1


@pytest.mark.parametrize(
    ("text", "forbidden"), [(t, f) for _, t, f in HOSTILE], ids=[n for n, _, _ in HOSTILE]
)
def test_hostile_markdown_is_defused(text: str, forbidden: str) -> None:
    seen = Structure(str(render(text)))
    assert not any(item.lower().startswith(forbidden) for item in seen.found), seen.found
    assert {f[4:] for f in seen.found if f.startswith("tag:")} <= TAGS
    assert {f[5:] for f in seen.found if f.startswith("attr:")} <= SAFE_ATTRIBUTES
    for href in (f[5:] for f in seen.found if f.startswith("href:")):
        assert href.startswith(("http://", "https://", "mailto:")), href
    assert seen.comments == 0


def test_markdown_a_teacher_writes_is_kept() -> None:
    text = (
        "# Our town\n\n**Bold**, *italic*, ~~gone~~ and `code`.\n\n"
        "- one\n- two\n\n3. three\n\n> quoted\n\n"
        "| Day | Task |\n|---|---|\n| Mon | Photos |\n\n"
        "[The museum](https://museum.example/visit) or <mailto:class@school.example>"
    )
    html = str(render(text))
    assert "<h3>Our town</h3>" in html  # below the page's own h1 and h2
    for piece in (
        "<strong>Bold</strong>",
        "<em>italic</em>",
        "<s>gone</s>",
        "<code>code</code>",
    ):
        assert piece in html
    assert "<li>one</li>" in html and '<ol start="3">' in html and "<blockquote>" in html
    assert "<td>Photos</td>" in html
    assert (
        '<a href="https://museum.example/visit" target="_blank" '
        'rel="noopener noreferrer nofollow">The museum</a>'
    ) in html
    assert 'href="mailto:class@school.example"' in html


def test_text_is_escaped_not_interpreted() -> None:
    assert str(render("5 < 6 & 7 > 3")) == "<p>5 &lt; 6 &amp; 7 &gt; 3</p>\n"
    assert str(render("")) == "" and str(render(None)) == ""


def test_the_allow_list_is_what_the_module_says() -> None:
    assert "img" not in TAGS and "script" not in TAGS and "style" not in TAGS
    assert ATTRIBUTES == {"a": {"href", "title"}, "ol": {"start"}}
