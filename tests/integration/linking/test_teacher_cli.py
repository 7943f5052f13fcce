"""``etwin-lti teacher pending|validate``: the NSO of the teacher's country validates a
registration; anyone else, a teacher who is not pending, or an unknown id is refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from etwin_lti.cli import CliState, main
from etwin_lti.domain.linking_ports import Link
from etwin_lti.domain.model import PersonKind
from etwin_lti.domain.people import NewPerson
from etwin_lti.domain.teacher_linking import AccountStatus, LinkMethod


def run(app: Flask, *args: str) -> Result:
    return CliRunner().invoke(main, ["teacher", *args], obj=CliState(app))


@pytest.fixture
def dora(app: Flask) -> int:
    """A provisional LMS teacher who registered as Dora (ES)."""
    container = app.extensions["etwin"]
    person = container.hub.create_person("Dora (Moodle)", PersonKind.TEACHER)
    container.teacher_accounts.make_link(
        Link(
            person.id,
            person.id,
            AccountStatus.PENDING_VALIDATION,
            LinkMethod.REGISTRATION,
            datetime.now(UTC),
            registration=NewPerson("Dora Newcomer", PersonKind.TEACHER, "ES", "IES Mar", None),
        )
    )
    return person.id


def test_pending_then_validated_by_the_teachers_nso(app: Flask, dora: int) -> None:
    listed = run(app, "pending")
    assert listed.exit_code == 0, listed.output
    assert listed.output.startswith(f"{dora}\tES\tDora Newcomer\tIES Mar\t")
    done = run(app, "validate", str(dora), "--nso", "es")
    assert done.exit_code == 0, done.output
    assert "validated by the NSO of ES" in done.output
    assert run(app, "pending").output == ""
    account = app.extensions["etwin"].teacher_accounts.get_account(dora)
    assert account.status is AccountStatus.VALIDATED and account.validated_by == "ES"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--nso", "FR"], "Only the NSO of ES"),
        (["--nso", "ES", "--again"], "No registration of person"),
    ],
    ids=["another country's NSO", "already validated"],
)
def test_refused_validations(app: Flask, dora: int, args: list[str], message: str) -> None:
    if "--again" in args:
        args = [a for a in args if a != "--again"]
        assert run(app, "validate", str(dora), *args).exit_code == 0
    before = app.extensions["etwin"].teacher_accounts.get_account(dora)
    result = run(app, "validate", str(dora), *args)
    assert result.exit_code == 1 and message in result.output
    assert app.extensions["etwin"].teacher_accounts.get_account(dora) == before


def test_an_unknown_person_is_refused(app: Flask) -> None:
    result = run(app, "validate", "999", "--nso", "ES")
    assert result.exit_code == 1 and "999" in result.output
