"""``etwin-lti moodle add|list|map|poll`` and the site store's bad-input table."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from etwin_lti.cli import CliState, main
from etwin_lti.persistence.models.moodle import MoodleMappingRow, MoodleSiteRow
from tests.support.fake_moodle import TOKEN
from tests.support.moodle_world import COURSE_ID, MoodleWorld


def run(world: MoodleWorld, *args: str):  # type: ignore[no-untyped-def]
    flask_app = world.flask_app  # type: ignore[attr-defined]
    return CliRunner().invoke(main, list(args), obj=CliState(flask_app), catch_exceptions=False)


@pytest.fixture
def cli_world(world: MoodleWorld, tmp_path: Path) -> MoodleWorld:
    from flask import Flask

    # A bare app around the world's container (its bridge has fast retries).
    flask_app = Flask("cli-test")
    flask_app.extensions["etwin"] = world.container
    world.flask_app = flask_app  # type: ignore[attr-defined]
    return world


def test_add_site_checks_token_and_never_prints_it(cli_world: MoodleWorld, tmp_path: Path) -> None:
    cli_world.moodle.add_course(COURSE_ID + 100)
    second_url = cli_world.moodle.url + "/moodle2"  # a second site path on the same fake
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    result = run(
        cli_world, "moodle", "add", second_url, "--token-file", str(token_file), "--label", "B"
    )
    # The fake answers only at its root path, so this site is not a Moodle: refused, nothing stored.
    assert result.exit_code != 0 and TOKEN not in result.output
    assert len(cli_world.bridge.store.list_sites()) == 1

    listing = run(cli_world, "moodle", "list")
    assert listing.exit_code == 0 and cli_world.site.url in listing.output
    assert TOKEN not in listing.output


def test_wrong_token_is_refused_and_nothing_written(cli_world: MoodleWorld, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("wrong-token")
    with cli_world.container.database.session() as session:
        session.execute(MoodleSiteRow.__table__.delete())
    result = run(cli_world, "moodle", "add", cli_world.moodle.url, "--token-file", str(token_file))
    assert result.exit_code == 1
    assert "does not accept the web-service token" in result.output
    assert "wrong-token" not in result.output
    assert cli_world.bridge.store.list_sites() == []


def test_token_is_encrypted_at_rest(cli_world: MoodleWorld) -> None:
    with cli_world.container.database.session() as session:
        stored = session.scalar(select(MoodleSiteRow.token_encrypted))
    assert stored and TOKEN not in stored
    assert cli_world.bridge.store.site_token(cli_world.site.id) == TOKEN


def test_map_and_poll_commands(cli_world: MoodleWorld) -> None:
    cli_world.learner(21)
    cli_world.moodle.complete(COURSE_ID, 21)
    mapped = run(
        cli_world,
        "moodle",
        "map",
        str(cli_world.site.id),
        str(COURSE_ID),
        "--edition",
        str(cli_world.edition_id),
    )
    assert mapped.exit_code == 0, mapped.output
    polled = run(cli_world, "moodle", "poll")
    assert polled.exit_code == 0, polled.output
    assert "issued\tmoodle user 21" in polled.output and "issued 1," in polled.output
    again = run(cli_world, "moodle", "poll", "--site", str(cli_world.site.id))
    assert "issued 0," in again.output
    assert len(cli_world.acknowledgements()) == 1


def test_poll_exits_non_zero_when_moodle_fails(cli_world: MoodleWorld) -> None:
    cli_world.map()
    cli_world.moodle.inject_error("invalidtoken", times=3)
    result = run(cli_world, "moodle", "poll")
    assert result.exit_code == 1 and "failed_mapping" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--edition", "1", "--event", "1"], "exactly one of"),
        ([], "exactly one of"),
        (["--edition", "999"], "Edition"),
        (["--event", "999"], "Event"),
        (["--edition", "{edition}", "--cmid", "0"], "positive"),
    ],
)
def test_map_bad_input_writes_nothing(
    cli_world: MoodleWorld, args: list[str], message: str
) -> None:
    args = [a.replace("{edition}", str(cli_world.edition_id)) for a in args]
    result = run(cli_world, "moodle", "map", str(cli_world.site.id), str(COURSE_ID), *args)
    assert result.exit_code == 1
    assert message.lower() in result.output.lower()
    with cli_world.container.database.session() as session:
        assert session.scalars(select(MoodleMappingRow)).all() == []


def test_map_unknown_course_site_or_duplicate(cli_world: MoodleWorld) -> None:
    edition = str(cli_world.edition_id)
    unknown_course = run(
        cli_world, "moodle", "map", str(cli_world.site.id), "555", "--edition", edition
    )
    assert unknown_course.exit_code == 1 and "no course 555" in unknown_course.output
    unknown_site = run(cli_world, "moodle", "map", "99", str(COURSE_ID), "--edition", edition)
    assert unknown_site.exit_code == 1 and "No Moodle site 99" in unknown_site.output
    assert (
        run(
            cli_world, "moodle", "map", str(cli_world.site.id), str(COURSE_ID), "--edition", edition
        ).exit_code
        == 0
    )
    duplicate = run(
        cli_world, "moodle", "map", str(cli_world.site.id), str(COURSE_ID), "--edition", edition
    )
    assert duplicate.exit_code == 1 and "already" in duplicate.output
    assert len(cli_world.bridge.store.list_mappings()) == 1
