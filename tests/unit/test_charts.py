"""The SVG chart module: what it draws, its text alternative, escaping, dates, contrast."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from etwin_lti.services import charts
from etwin_lti.services.charts import Bar, Point

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def filled_widths(svg: str) -> list[float]:
    rects = parse(svg).iter(f"{SVG}rect")
    return [float(r.get("width", 0)) for r in rects if r.get("fill") == charts.BAR]


def test_contrast_ratio_is_the_wcag_formula() -> None:
    assert charts.contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert charts.contrast_ratio("#777777", "#777777") == pytest.approx(1)
    assert charts.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("colour", charts.TEXT_COLOURS)
def test_text_colours_meet_aa_on_white(colour: str) -> None:
    assert charts.contrast_ratio(colour, charts.WHITE) >= 4.5  # WCAG 1.4.3


@pytest.mark.parametrize("colour", charts.GRAPHIC_COLOURS)
def test_bars_and_lines_meet_the_non_text_contrast(colour: str) -> None:
    assert charts.contrast_ratio(colour, charts.WHITE) >= 3  # WCAG 1.4.11


def test_a_bar_stands_out_of_its_track() -> None:
    assert charts.contrast_ratio(charts.BAR, charts.TRACK) >= 3


def test_bar_chart_lengths_words_and_table() -> None:
    data = charts.bar_chart(
        "units",
        "Per unit",
        [Bar("Unit 1", 3, 4), Bar("Unit 2", 0, 4), Bar("Unit 3", 4, 4)],
        unit="trainees",
    )
    root = parse(data.svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "units-title units-desc"
    assert root.find(f"{SVG}title").text == "Per unit"  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert desc == "Unit 1: 3 of 4 trainees; Unit 2: 0 of 4 trainees; Unit 3: 4 of 4 trainees"
    three_of_four, none, all_four = filled_widths(data.svg)
    assert none == 0 and all_four > 0 and three_of_four == pytest.approx(all_four * 0.75)
    assert data.columns == ("", "Trainees", "Of")
    assert data.rows == (("Unit 1", "3", "4"), ("Unit 2", "0", "4"), ("Unit 3", "4", "4"))


def test_plain_counts_are_drawn_against_the_largest() -> None:
    data = charts.bar_chart("a", "Weeks", [Bar("w1", 2, 0), Bar("w2", 8, 0)], unit="posts")
    small, large = filled_widths(data.svg)
    assert small == pytest.approx(large / 4)
    assert data.columns == ("", "Posts") and data.rows == (("w1", "2"), ("w2", "8"))
    assert "w2: 8 posts" in data.svg


def test_nothing_to_draw_says_so() -> None:
    empty = charts.bar_chart("e", "Nothing", [], unit="members")
    assert "Nothing to show yet." in empty.svg and empty.rows == ()
    zeros = charts.bar_chart("z", "Zeros", [Bar("a", 0, 0)], unit="posts")
    assert filled_widths(zeros.svg) == [0.0]  # no division by zero
    line = charts.line_chart("l", "No line", [], y_max=0, unit="units")
    assert "No data yet." in line.svg and "<polyline" not in line.svg
    parse(line.svg)


def test_long_labels_are_cut_in_the_picture_and_whole_in_the_table() -> None:
    label = "Unit 2: Safe and responsible use of the internet in class"
    data = charts.bar_chart("u", "t", [Bar(label, 1, 2)], unit="trainees")
    texts = [t.text for t in parse(data.svg).iter(f"{SVG}text")]
    assert texts[0] is not None and texts[0].endswith("…") and len(texts[0]) < len(label)
    assert data.rows[0][0] == label
    assert f"<title>{label}: 1 of 2 trainees</title>" in data.svg


HOSTILE = '<script>alert("x")</script> & </svg><img src=x onerror=alert(1)>'


def test_a_narrow_chart_keeps_its_text_size_and_cuts_labels_shorter() -> None:
    label = "Teacher administrators and pupil administrators"
    wide = charts.bar_chart("w", "t", [Bar(label, 1, 2)], unit="members")
    narrow = charts.bar_chart("n", "t", [Bar(label, 1, 2)], unit="members", width=charts.NARROW)
    assert f'viewBox="0 0 {charts.NARROW} ' in narrow.svg and 'font-size="13"' in narrow.svg
    cut = [next(parse(c.svg).iter(f"{SVG}text")).text or "" for c in (wide, narrow)]
    assert len(cut[1]) < len(cut[0]) < len(label)


def test_every_text_is_escaped() -> None:
    bars = charts.bar_chart(HOSTILE, HOSTILE, [Bar(HOSTILE, 1, 1)], unit=HOSTILE)
    line = charts.line_chart(HOSTILE, HOSTILE, [Point(HOSTILE, 1)], y_max=1, unit=HOSTILE)
    for svg in (bars.svg, line.svg):
        root = parse(svg)  # one document: nothing closed the svg early
        assert "<script" not in svg and "<img" not in svg
        assert root.find(f"{SVG}title").text == HOSTILE  # type: ignore[union-attr]


def test_line_chart_points_go_up_with_the_values() -> None:
    points = [Point("w1", 0), Point("w2", 2), Point("w3", 5)]
    data = charts.line_chart("t", "Over time", points, y_max=10, unit="units")
    polyline = parse(data.svg).find(f"{SVG}polyline")
    assert polyline is not None
    ys = [float(p.split(",")[1]) for p in polyline.get("points", "").split()]
    assert ys[0] > ys[1] > ys[2]  # SVG's y grows downwards
    assert re.search(r">10</text>", data.svg)  # the ceiling is y_max
    desc = parse(data.svg).find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert desc == "From 0 units on w1 to 5 units on w3, out of 10."
    assert data.rows == (("w1", "0"), ("w2", "2"), ("w3", "5"))


def test_a_value_above_y_max_stays_inside_the_picture() -> None:
    data = charts.line_chart("t", "t", [Point("a", 1), Point("b", 30)], y_max=10, unit="u")
    for circle in parse(data.svg).iter(f"{SVG}circle"):
        assert 0 <= float(circle.get("cy", -1)) <= 220


def test_one_point_is_drawn_in_the_middle() -> None:
    data = charts.line_chart("t", "t", [Point("only", 3)], y_max=3, unit="u")
    [circle] = parse(data.svg).iter(f"{SVG}circle")
    assert float(circle.get("cx", 0)) == pytest.approx(44 + (600 - 44 - 16) / 2)


def test_weeks_start_on_mondays_and_are_bounded() -> None:
    assert charts.weeks(date(2026, 1, 14), date(2026, 1, 27)) == [
        date(2026, 1, 12),
        date(2026, 1, 19),
        date(2026, 1, 26),
    ]
    assert charts.weeks(date(2026, 3, 1), date(2026, 1, 1)) == [date(2026, 2, 23)]
    long = charts.weeks(date(2000, 1, 1), date(2026, 12, 4))
    assert len(long) == 53 and long[-1] == date(2026, 11, 30)


def test_cumulative_and_per_week_counts() -> None:
    mondays = [date(2026, 1, 12), date(2026, 1, 19), date(2026, 1, 26)]
    moments = [date(2026, 1, 11), date(2026, 1, 18), date(2026, 1, 19), date(2026, 2, 2)]
    assert charts.cumulative_by_week(moments, mondays) == [2, 3, 3]
    assert charts.count_by_week(moments, mondays) == [1, 1, 0]


def test_short_dates_name_the_month() -> None:
    assert charts.short_date(date(2026, 12, 4)) == "4 Dec 2026"


def test_a_small_variant_is_the_same_chart_drawn_narrower() -> None:
    bars = charts.bar_chart("b", "t", [Bar("a", 1, 2)], unit="u", small_width=charts.NARROW)
    line = charts.line_chart(
        "l", "t", [Point("a", 1), Point("b", 2)], y_max=2, unit="u", small_width=charts.NARROW
    )
    for data, chart_id in ((bars, "b"), (line, "l")):
        small = parse(data.small)
        assert small.get("id") == f"{chart_id}-small"  # ids stay unique on the page
        assert small.get("viewBox", "").startswith(f"0 0 {charts.NARROW} ")
        assert small.get("aria-labelledby") == f"{chart_id}-small-title {chart_id}-small-desc"
        assert parse(data.svg).find(f"{SVG}desc").text == small.find(f"{SVG}desc").text  # type: ignore[union-attr]
    assert charts.bar_chart("c", "t", [], unit="u").small == ""
