"""Pictures (issue 13 item 6): the trainer's dashboard charts and certificate holders, the
teacher administrator's TwinSpace at a glance; each chart with its text alternative."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from tests.integration.pages.conftest import PagesWorld, submit
from tests.support.lti_tokens import ROLE_INSTRUCTOR


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def figure(page: str, kind: str) -> str:
    match = re.search(
        rf'<figure class="chart-figure" data-chart="{kind}">(.*?)</figure>', page, re.S
    )
    assert match, f"no {kind} chart"
    return match.group(1)


def assert_accessible(chart: str) -> None:
    """An SVG image named by its title and described, plus the table of its numbers."""
    svg_id = re.search(r'<svg [^>]*id="([^"]+)"', chart)
    assert svg_id and 'role="img"' in chart
    assert f'aria-labelledby="{svg_id[1]}-title {svg_id[1]}-desc"' in chart
    assert f'<title id="{svg_id[1]}-title">' in chart and f'<desc id="{svg_id[1]}-desc">' in chart
    assert "<table>" in chart and '<th scope="row">' in chart


def test_the_trainer_sees_progress_by_unit_and_over_time(world: PagesWorld) -> None:
    demo = world.demo
    world.hub.complete_course(None, demo.edition_id, demo.people["founder_it"])
    trainer = world.launched("trainer", [ROLE_INSTRUCTOR], f"unit:{demo.unit_id}")
    page = text(trainer.get("/embed/acknowledgements"))
    by_unit = figure(page, "by-unit")
    assert_accessible(by_unit)
    # Camille finished unit 1, Giulia none (her certificate was a system decision).
    assert '<g class="bar" data-label="Unit 1: What is eTwinning?" data-value="1">' in by_unit
    assert "Unit 1: What is eTwinning?: 1 of 2 trainees" in by_unit  # the bar's own title
    assert '<th scope="row">Unit 1: What is eTwinning?</th><td>1</td><td>2</td>' in by_unit
    over_time = figure(page, "over-time")
    assert_accessible(over_time)
    assert "<polyline" in over_time and '<th scope="col">Week of</th>' in over_time
    assert "units completed" in over_time
    assert '<li data-holder="Giulia Rossi">' in page
    assert 'data-holder="Camille Martin"' not in page


def test_chart_labels_are_text_never_markup(world: PagesWorld) -> None:
    demo = world.demo
    world.hub.add_unit(demo.edition_id, '<script>alert("x")</script> & <b>bold</b>', "")
    trainer = world.launched("trainer", [ROLE_INSTRUCTOR], f"unit:{demo.unit_id}")
    page = text(trainer.get("/embed/acknowledgements"))
    assert "<script>alert" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page or (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page
    )


def test_the_teacher_administrator_sees_the_twinspace_at_a_glance(world: PagesWorld) -> None:
    founder = world.as_founder()
    before = text(founder.get(world.ts_url))
    overview = re.search(r'data-recent="(\d+)"', before)
    assert overview, "no overview for the teacher administrator"
    roles = figure(before, "roles")
    assert_accessible(roles)
    assert re.search(r'<g class="bar" data-label="Teacher administrators" data-value="\d+">', roles)
    assert_accessible(figure(before, "activity"))
    response = submit(
        founder, world.ts_url, f"{world.ts_url}/diary", title="Week 1", body="We met."
    )
    assert response.status_code == 303
    after = text(founder.get(world.ts_url))
    recent = re.search(r'data-recent="(\d+)"', after)
    assert recent and int(recent[1]) == int(overview[1]) + 1


def test_pupils_see_no_overview(world: PagesWorld) -> None:
    page = text(world.as_pupil().get(world.ts_url))
    assert "data-recent=" not in page and 'data-chart="roles"' not in page


def test_the_etwinning_label_keeps_its_capital_t(world: PagesWorld) -> None:
    page = text(world.as_founder().get("/embed/acknowledgements"))
    assert '<span class="badge">eTwinning label</span>' in page
    assert "Etwinning" not in page


def test_an_edition_not_started_yet_draws_empty_charts(world: PagesWorld) -> None:
    demo = world.demo
    edition = world.hub.create_edition(
        "Next year's course",
        2099,
        date(2099, 1, 5),
        date(2099, 6, 30),
        trainer_ids=[demo.people["trainer_1"]],
    )
    trainer = world.launched("trainer", [ROLE_INSTRUCTOR], f"unit:{demo.unit_id}")
    page = text(trainer.get("/embed/acknowledgements"))
    board = page.split(f'data-edition="{edition.id}"', 1)[1]
    assert "Nothing to show yet." in figure(board, "by-unit")  # no units
    over_time = figure(board, "over-time")
    assert "5 Jan 2099" in over_time  # one week: the first, though today is before it
    assert "Nobody holds this edition's certificate yet." in board


PRESENTATION = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"


def test_the_charts_speak_the_launchs_language(world: PagesWorld) -> None:
    """Titles, units, text alternatives, table headings and week dates in Spanish and French."""
    demo = world.demo
    world.hub.complete_course(None, demo.edition_id, demo.people["founder_it"])
    for locale, words in (
        ("es", ("1 de 2 formandos", "unidades completadas", "Semana del", "Total")),
        ("fr", ("1 sur 2 stagiaires", "unités terminées", "Semaine du", "Total")),
    ):
        trainer = world.launched(
            "trainer",
            [ROLE_INSTRUCTOR],
            f"unit:{demo.unit_id}",
            **{PRESENTATION: {"locale": locale}},
        )
        page = html.unescape(text(trainer.get("/embed/acknowledgements")))
        charts = figure(page, "by-unit") + figure(page, "over-time")
        for phrase in words:
            assert phrase in charts, (locale, phrase)
        assert " of 2 trainees" not in charts and "Week of" not in charts
        founder = world.launched(
            "founder-fr", [ROLE_INSTRUCTOR], world.ts, **{PRESENTATION: {"locale": locale}}
        )
        glance = html.unescape(text(founder.get(world.ts_url)))
        roles = figure(glance, "roles")
        plural = "Docentes administradores" if locale == "es" else "Enseignants administrateurs"
        assert plural in roles and "Teacher administrators" not in roles
