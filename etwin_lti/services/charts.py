"""Server-rendered SVG charts for the pages (issue 13 item 6): pure, text in, markup out.

No JavaScript chart library: the pages live in an LMS iframe, often with scripts limited by the
tool's CSP, and a chart must read without them. Each chart is an ``<svg role="img">`` whose
``<title>`` and ``<desc>`` say what it shows and its key numbers (what a screen reader reads);
the page puts the same numbers in a table beside it (``ChartData.rows``), which is the text
alternative proper (WCAG 2.1 1.1.1). Every text is escaped here, so a unit titled
``<script>`` stays text. The caller hands over its texts in the reader's language and a
``Wording`` for the words the chart adds itself ("3 of 5 trainees", dates, "No data yet.").

Colours meet WCAG 2.1 AA on white: text 4.5:1 (1.4.3), bars and lines 3:1 as graphical objects
(1.4.11); ``contrast_ratio`` is the WCAG formula, and the unit tests check the palette with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from etwin_lti.services.wording import ENGLISH, Wording

WHITE = "#ffffff"
INK = "#1d2a3a"  # labels and values
MUTED = "#5b6b7c"  # axis labels
BAR = "#0b5fa5"  # bars and the line
TRACK = "#e3e8ef"  # the empty part of a bar (decoration: the value is also in words)
GRID = "#77838f"  # the baseline and grid lines
TEXT_COLOURS = (INK, MUTED)
GRAPHIC_COLOURS = (BAR, GRID)
WIDTH = 600  # the viewBox: drawn 1:1 up to this many CSS pixels, scaled down below
NARROW = 320  # for a side column or a phone, so that the text keeps its size there
VALUE_WIDTH = 62  # "12 / 30" right of a bar
CHAR_WIDTH = 7  # about, at 13px: a label longer than its column is cut with an ellipsis
ROW = 30
FONT = 'font-family="system-ui, sans-serif" font-size="13"'


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    total: int  # the bar's full length; 0 draws an empty track


@dataclass(frozen=True)
class Point:
    label: str  # on the x axis and in the table
    value: int


@dataclass(frozen=True)
class ChartData:
    """A chart and the table that carries its numbers in text."""

    svg: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    small: str = ""  # the same chart drawn narrower, shown instead on small screens


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        c = int(hex_pair, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2.1's contrast ratio of two ``#rrggbb`` colours, from 1 to 21."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _svg(chart_id: str, title: str, desc: str, size: tuple[int, int], body: Iterable[str]) -> str:
    width, height = size
    ids = f"{chart_id}-title {chart_id}-desc"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'role="img" aria-labelledby="{escape(ids)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    *,
    unit: str,
    heading: str = "",
    width: int = WIDTH,
    small_width: int | None = None,
    words: Wording = ENGLISH,
) -> ChartData:
    """Horizontal bars, one per label, each with its value in words beside it
    ("3 of 5 trainees"); ``unit`` names what is counted. A bar whose ``total`` is 0 is a
    plain count, drawn against the largest value of the chart. ``small_width``: also draw it
    that wide, for small screens (``ChartData.small``)."""
    height = max(1, len(bars)) * ROW + 10
    largest = max((b.value for b in bars), default=0)
    _ = words._

    def value_words(bar: Bar) -> str:
        if bar.total:
            return _("%(value)s of %(total)s %(unit)s", value=bar.value, total=bar.total, unit=unit)
        return _("%(value)s %(unit)s", value=bar.value, unit=unit)

    desc = "; ".join(f"{b.label}: {value_words(b)}" for b in bars)
    nothing = _("Nothing to show yet.")

    def draw(svg_id: str, size: int) -> str:
        label_width = round(size * 0.36)
        label_chars = label_width // CHAR_WIDTH
        track = size - label_width - VALUE_WIDTH
        body: list[str] = []
        for index, bar in enumerate(bars):
            y = 5 + index * ROW
            scale = bar.total or largest
            share = min(1.0, bar.value / scale) if scale > 0 else 0.0
            words = value_words(bar)
            body.append(
                f'<g class="bar" data-label="{escape(bar.label)}" data-value="{bar.value}">'
                f"<title>{escape(bar.label)}: {escape(words)}</title>"
                f'<text x="0" y="{y + 19}" fill="{INK}" {FONT}>'
                f"{escape(_cut(bar.label, label_chars))}</text>"
                f'<rect x="{label_width}" y="{y + 5}" width="{track}" height="18" '
                f'fill="{TRACK}"/>'
                f'<rect x="{label_width}" y="{y + 5}" width="{track * share:.1f}" height="18" '
                f'fill="{BAR}"/>'
                f'<text x="{label_width + track + 6}" y="{y + 19}" fill="{INK}" {FONT}>'
                f"{bar.value}" + (f" / {bar.total}" if bar.total else "") + "</text></g>"
            )
        if not bars:
            body.append(f'<text x="0" y="24" fill="{MUTED}" {FONT}>{escape(nothing)}</text>')
        return _svg(svg_id, title, desc or nothing, (size, height), body)

    totals = any(b.total for b in bars)
    rows = tuple((b.label, str(b.value), *((str(b.total),) if totals else ())) for b in bars)
    return ChartData(
        draw(chart_id, width),
        (heading, unit.capitalize(), *((_("Of"),) if totals else ())),
        rows,
        draw(f"{chart_id}-small", small_width) if small_width else "",
    )


def line_chart(
    chart_id: str,
    title: str,
    points: Sequence[Point],
    *,
    y_max: int,
    unit: str,
    heading: str = "",
    small_width: int | None = None,
    words: Wording = ENGLISH,
) -> ChartData:
    """A line over time, from 0 to ``y_max``, a dot per point; the first, middle and last
    labels on the x axis (all of them in the table)."""
    left, right, top, bottom = 44, 16, 12, 36
    height = 220
    plot_h = height - top - bottom
    ceiling = max(1, y_max, *(p.value for p in points)) if points else max(1, y_max)
    if points:
        first, last = points[0], points[-1]
        desc = words._(
            "From %(first)s %(unit)s on %(first_label)s to %(last)s %(unit)s on "
            "%(last_label)s, out of %(most)s.",
            first=first.value,
            first_label=first.label,
            last=last.value,
            last_label=last.label,
            unit=unit,
            most=y_max,
        )
    else:
        desc = words._("No data yet.")

    def y_of(value: int) -> float:
        return top + plot_h * (1 - value / ceiling)

    def draw(svg_id: str, size: int) -> str:
        plot_w = size - left - right

        def x_of(index: int) -> float:
            return left + (plot_w * index / (len(points) - 1) if len(points) > 1 else plot_w / 2)

        body = [
            f'<line x1="{left}" y1="{y_of(0):.1f}" x2="{size - right}" y2="{y_of(0):.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        ]
        for tick in sorted({0, ceiling // 2, ceiling}):
            body.append(
                f'<text x="{left - 6}" y="{y_of(tick) + 4:.1f}" fill="{MUTED}" '
                f'text-anchor="end" {FONT}>{tick}</text>'
            )
            if tick:
                body.append(
                    f'<line x1="{left}" y1="{y_of(tick):.1f}" x2="{size - right}" '
                    f'y2="{y_of(tick):.1f}" stroke="{GRID}" stroke-width="0.5" '
                    'stroke-dasharray="3 3"/>'
                )
        if points:
            path = " ".join(f"{x_of(i):.1f},{y_of(p.value):.1f}" for i, p in enumerate(points))
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="2.5"/>'
            )
            for i, p in enumerate(points):
                body.append(
                    f'<circle cx="{x_of(i):.1f}" cy="{y_of(p.value):.1f}" r="3.5" fill="{BAR}">'
                    f"<title>{escape(p.label)}: {p.value} {escape(unit)}</title></circle>"
                )
            for i in sorted({0, (len(points) - 1) // 2, len(points) - 1}):
                anchor = "start" if i == 0 else "end" if i == len(points) - 1 else "middle"
                body.append(
                    f'<text x="{x_of(i):.1f}" y="{height - 12}" fill="{MUTED}" '
                    f'text-anchor="{anchor}" {FONT}>{escape(points[i].label)}</text>'
                )
        else:
            body.append(
                f'<text x="{left}" y="{top + 20}" fill="{MUTED}" {FONT}>{escape(desc)}</text>'
            )
        return _svg(svg_id, title, desc, (size, height), body)

    rows = tuple((p.label, str(p.value)) for p in points)
    return ChartData(
        draw(chart_id, WIDTH),
        (heading, unit.capitalize()),
        rows,
        draw(f"{chart_id}-small", small_width) if small_width else "",
    )


# --- time series -------------------------------------------------------------------------


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())  # Monday


def weeks(first: date, last: date, *, at_most: int = 53) -> list[date]:
    """The Mondays of the weeks from ``first`` to ``last`` (the most recent ``at_most``)."""
    if last < first:
        return [week_start(first)]
    start, end = week_start(first), week_start(last)
    count = (end - start).days // 7 + 1
    return [end - timedelta(weeks=n) for n in reversed(range(min(count, at_most)))]


def cumulative_by_week(moments: Iterable[date], mondays: Sequence[date]) -> list[int]:
    """For each week, how many moments fell before that week's end."""
    ordered = sorted(moments)
    totals, index = [], 0
    for monday in mondays:
        end = monday + timedelta(days=7)
        while index < len(ordered) and ordered[index] < end:
            index += 1
        totals.append(index)
    return totals


def count_by_week(moments: Iterable[date], mondays: Sequence[date]) -> list[int]:
    """For each week, how many moments fell in it (moments outside every week are ignored)."""
    counts = dict.fromkeys(mondays, 0)
    for moment in moments:
        monday = week_start(moment)
        if monday in counts:
            counts[monday] += 1
    return [counts[m] for m in mondays]


def short_date(day: date, words: Wording = ENGLISH) -> str:
    """``12 Jan 2026``, ``12 ene 2026``: the month in letters, read alike in every country."""
    return words.short_date(day)
