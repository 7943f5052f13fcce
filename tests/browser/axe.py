"""axe-core (Deque's WCAG checker) run inside Chromium on the page or frame the test shows.

The script is the vendored, pinned ``vendor/axe-core/axe.min.js`` (its licence beside it; see
``vendor/axe-core/VERSION``): a fresh clone runs it with no download. It is evaluated through
the DevTools protocol, which the tool's Content-Security-Policy does not apply to, so the pages
are checked exactly as they are served.

``check`` runs the WCAG 2.0/2.1 A and AA rules and the best practices at each width of
``WIDTHS`` in the same page load (``set_viewport_size``: the layout changes, the page is not
reloaded), writes the report under ``test-artifacts/axe/`` and fails on any serious or critical
violation.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Frame, Page

from tests.browser.conftest import ARTIFACTS

VENDOR = Path(__file__).parent / "vendor" / "axe-core"
WIDTHS = (360, 768, 1200)
HEIGHT = 900
# WCAG 2.0/2.1 A and AA, plus axe's best practices (landmarks, one h1, heading order): all are
# reported; serious and critical ones fail.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
# Moderate findings once fixed, kept fixed: an ARIA role on <main> (the error pages' alert is
# the news inside it) and header cells with no name (a column of buttons is named "Actions").
FAILING_RULES = {"aria-allowed-role", "empty-table-header"}
_SOURCE: str | None = None


def _source() -> str:
    global _SOURCE
    if _SOURCE is None:
        _SOURCE = (VENDOR / "axe.min.js").read_text(encoding="utf-8")
    return _SOURCE


def run(target: Frame | Page) -> dict[str, Any]:
    """One axe run on a document (its own frames are checked where they are opened)."""
    if not target.evaluate("typeof window.axe !== 'undefined'"):
        target.evaluate(_source())
    options = {"runOnly": {"type": "tag", "values": TAGS}, "iframes": False}
    result: dict[str, Any] = target.evaluate("(o) => window.axe.run(document, o)", options)
    return result


def serious(result: dict[str, Any]) -> list[str]:
    """One line per serious/critical violation (and per ``FAILING_RULES`` one): rule, impact,
    the elements (as axe names them)."""
    lines = []
    for v in result["violations"]:
        if v["impact"] in FAILING_IMPACTS or v["id"] in FAILING_RULES:
            nodes = "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {nodes}")
    return lines


def check(page: Page, name: str, frame: Frame | None = None) -> None:
    """axe at every width of ``WIDTHS``; ``frame``: the tool's page inside the LMS iframe."""
    target: Frame | Page = frame or page
    found: dict[str, list[str]] = {}
    ARTIFACTS.joinpath("axe").mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9-]+", "-", name.lower())
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        result = run(target)
        report = ARTIFACTS / "axe" / f"{slug}-{width}.json"
        report.write_text(json.dumps(result["violations"], indent=1), encoding="utf-8")
        if lines := serious(result):
            found[f"{width}px"] = lines
    page.set_viewport_size({"width": WIDTHS[-1], "height": HEIGHT})
    listing = "\n".join(f"{w}: {line}" for w, lines in found.items() for line in lines)
    assert not found, f"{name}: serious or critical axe violations ({ARTIFACTS}/axe):\n{listing}"
