"""The TwinSpace page says when the project holds the European Quality Label, awarded by rule
(issue 12 item 6): "European Quality Label — awarded on <date> because it holds NQLs from X and
Y", or that the CSS withdrew it, and why. On SQLite and PostgreSQL."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from tests.contract.hub_contract.builders import labelled
from tests.integration.pages.conftest import PagesWorld


def page_of(world: PagesWorld, *, pupil: bool = False) -> str:
    client = world.as_pupil() if pupil else world.as_founder()
    response = client.get(world.ts_url)
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_no_line_before_two_countries_hold_an_nql(either: PagesWorld) -> None:
    project = either.hub.get_project(either.demo.project_id)
    labelled(either.hub, project, either.demo.people["founder_fr"], "FR")
    assert "data-eql" not in page_of(either)


def test_the_rule_awards_it_and_the_page_says_why_then_the_withdrawal(either: PagesWorld) -> None:
    hub, people = either.hub, either.demo.people
    project = hub.get_project(either.demo.project_id)
    labelled(hub, project, people["founder_fr"], "FR")
    labelled(hub, project, people["founder_it"], "IT")  # the second country: the rule holds
    today = datetime.now(UTC).date()

    for pupil in (False, True):  # a label is no secret: every member sees it
        page = page_of(either, pupil=pupil)
        assert 'data-eql="awarded" data-eql-by="rule"' in page
        assert f'datetime="{today.isoformat()}"' in page
        assert "because it holds National Quality Labels from France and Italy" in page

    hub.withdraw_eql(project.id, "The evidence was copied from another project.")
    page = page_of(either)
    assert 'data-eql="withdrawn"' in page and 'data-eql="awarded"' not in page
    assert "withdrawn by the Central Support Service" in page
    assert "The evidence was copied from another project." in page
