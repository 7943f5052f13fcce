"""``etwin-lti privacy export|erase|purge``: happy paths and the bad-input table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from etwin_lti.cli import CliState, main
from tests.integration.privacy.world import ISSUER, SARA_SUB, World, build_world, dump_all


@pytest.fixture
def cli_world(app: Flask) -> World:
    """SQLite only: argument handling does not depend on the database (the use cases are
    tested on both in the other modules)."""
    return build_world(app)


def run(world: World, *args: str) -> Result:
    return CliRunner().invoke(main, ["privacy", *args], obj=CliState(world.app))


def test_export_to_stdout_and_by_lti_identity(cli_world: World) -> None:
    by_id = run(cli_world, "export", str(cli_world.sara))
    assert by_id.exit_code == 0, by_id.output
    assert json.loads(by_id.output)["profile"]["display_name"] == "Sara Subject"
    by_lti = run(cli_world, "export", "--lti", ISSUER, SARA_SUB, "--deployment", "1")
    assert by_lti.exit_code == 0, by_lti.output
    assert json.loads(by_lti.output)["profile"]["id"] == cli_world.sara


def test_export_to_a_file(cli_world: World, tmp_path: Path) -> None:
    target = tmp_path / "sara.json"
    result = run(cli_world, "export", str(cli_world.sara), "--output", str(target))
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["identities"][0]["sub"] == SARA_SUB


def test_erase_with_yes_prints_what_was_erased_then_is_a_no_op(cli_world: World) -> None:
    first = run(cli_world, "erase", "--lti", ISSUER, SARA_SUB, "--yes")
    assert first.exit_code == 0, first.output
    assert f"erased person {cli_world.sara}: now shown as 'Former member " in first.output
    assert "identities deleted: 1" in first.output
    # Her event certificate and the eTwinning label she got as a partner after the approval.
    assert "acknowledgements revoked: 2" in first.output
    before = dump_all(cli_world.app)
    again = run(cli_world, "erase", str(cli_world.sara), "--yes")
    assert again.exit_code == 0 and "already erased" in again.output
    assert dump_all(cli_world.app) == before


def test_founder_needs_force(cli_world: World) -> None:
    refused = run(cli_world, "erase", str(cli_world.tom), "--yes")
    assert refused.exit_code == 1 and "--force" in refused.output
    forced = run(cli_world, "erase", str(cli_world.tom), "--yes", "--force")
    assert forced.exit_code == 0, forced.output


def test_purge_dry_run(cli_world: World) -> None:
    result = run(cli_world, "purge", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "retention 365 days" in result.output and "0 person(s) would erase" in result.output


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["export"], 2, "Give PERSON"),
        (["export", "SARA", "--lti", ISSUER, SARA_SUB], 2, "not both"),
        (["export", "abc"], 2, "is not a valid integer"),
        (["export", "99999"], 1, "Person 99999 does not exist"),
        (["export", "0"], 1, "Person 0 does not exist"),
        (["export", "--lti", ISSUER], 2, "requires 2 arguments"),
        (["export", "--lti", "moodle.school.example", SARA_SUB], 1, "issuer"),
        (["export", "--lti", ISSUER, " "], 1, "sub"),
        (["export", "--lti", ISSUER, "x" * 256], 1, "sub"),
        (["export", "--lti", ISSUER, "no-such-user"], 1, "No person is linked"),
        (["export", "--lti", ISSUER, SARA_SUB, "--deployment", " "], 1, "deployment"),
        (["export", "--lti", ISSUER, SARA_SUB, "--deployment", "9"], 1, "No person is linked"),
        (["export", "--deployment", "1", "SARA"], 2, "--deployment goes with --lti"),
        (["erase", "SARA"], 2, "--yes"),  # no TTY, no --yes: refused, never a silent erase
        (["erase", "99999", "--yes"], 1, "Person 99999 does not exist"),
        (["erase", "--lti", "ftp://x", "1", "--yes"], 1, "issuer"),
        (["erase", "TOM", "--yes"], 1, "--force"),
        (["purge", "SARA"], 2, "unexpected extra argument"),
    ],
)
def test_bad_input_exits_non_zero_and_writes_nothing(
    cli_world: World, args: list[str], exit_code: int, message: str
) -> None:
    ids = {"SARA": str(cli_world.sara), "TOM": str(cli_world.tom)}
    before = dump_all(cli_world.app)
    result = run(cli_world, *[ids.get(arg, arg) for arg in args])
    assert result.exit_code == exit_code, result.output
    assert message in result.output
    assert dump_all(cli_world.app) == before


def test_refused_when_the_hub_is_another_instance(sqlite_url: str, tmp_path: Path) -> None:
    from tests.conftest import make_test_app

    app = make_test_app(
        sqlite_url, tmp_path, HUB_URL="http://hub.test", HUB_TOKEN="token-of-the-hub"
    )
    result = CliRunner().invoke(main, ["privacy", "export", "1"], obj=CliState(app))
    assert result.exit_code == 1 and "run the privacy commands on the hub instance" in result.output
