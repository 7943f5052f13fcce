"""The page language (ADR 0029): the launch's locale claim, then the browser, then English.

Real launches through the Mini LMS (``tests.support.launching``), the founder's TwinSpace page and
the error pages a launch can lead to.
"""

from __future__ import annotations

from typing import Any

import pytest

from etwin_lti.lti import claims as c
from tests.integration.pages.conftest import PagesWorld
from tests.support.lti_tokens import ROLE_INSTRUCTOR, ROLE_LEARNER

# One text of the TwinSpace page and one of the error page, per language.
DIARY = {"en": "Project Diary", "es": "Diario del proyecto", "fr": "Journal du projet"}
WHO = {"en": "Who can fix this:", "es": "Quién puede solucionarlo:", "fr": "Qui peut régler"}


def presentation(locale: Any) -> dict[str, Any]:
    return {c.LAUNCH_PRESENTATION: {"document_target": "iframe", "locale": locale}}


def page(response: Any) -> str:
    return str(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("es", "es"),
        ("fr", "fr"),
        ("es-ES", "es"),
        ("fr_CA", "fr"),
        ("FR", "fr"),
        ("en-GB", "en"),
        ("de-DE", "en"),  # another eTwinning language, no catalog yet
        ("xx-YY", "en"),
        ("<script>alert(1)</script>", "en"),
        ("é" * 500, "en"),
        ("", "en"),
        (42, "en"),  # not even a string
    ],
)
def test_the_launch_locale_picks_the_page_language(
    world: PagesWorld, locale: Any, language: str
) -> None:
    client = world.launched("founder-fr", [ROLE_INSTRUCTOR], world.ts, **presentation(locale))
    body = page(client.get(world.ts_url))
    assert f'<html lang="{language}">' in body
    assert DIARY[language] in body
    others = [text for lang, text in DIARY.items() if lang != language]
    assert not any(text in body for text in others)


def test_the_launch_locale_wins_over_the_browser(world: PagesWorld) -> None:
    client = world.launched("founder-fr", [ROLE_INSTRUCTOR], world.ts, **presentation("fr"))
    body = page(client.get(world.ts_url, headers={"Accept-Language": "es"}))
    assert '<html lang="fr">' in body and DIARY["fr"] in body


def test_without_a_locale_claim_the_browser_language_is_used(world: PagesWorld) -> None:
    client = world.launched("founder-fr", [ROLE_INSTRUCTOR], world.ts)
    spanish = page(client.get(world.ts_url, headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}))
    assert '<html lang="es">' in spanish and DIARY["es"] in spanish
    german = page(client.get(world.ts_url, headers={"Accept-Language": "de-DE,de;q=0.9"}))
    assert '<html lang="en">' in german and DIARY["en"] in german
    garbage = page(client.get(world.ts_url, headers={"Accept-Language": ";;q=x,,*-*"}))
    assert '<html lang="en">' in garbage


@pytest.mark.parametrize(
    ("language", "description"),
    [
        ("es", "El TwinSpace 999999 no existe."),
        ("fr", "Le TwinSpace 999999 n'existe pas."),
        ("en", "TwinSpace 999999 does not exist."),
    ],
)
def test_an_error_page_after_the_launch_speaks_its_language(
    world: PagesWorld, language: str, description: str
) -> None:
    locale = {"es": "es-419", "fr": "fr-BE", "en": "xx-YY"}[language]
    client = world.launched("founder-fr", [ROLE_INSTRUCTOR], world.ts, **presentation(locale))
    response = client.get("/embed/twinspace/999999")
    body = page(response)
    assert response.status_code == 404 and 'data-error="not_found"' in body
    assert f'<html lang="{language}">' in body
    assert description.replace("'", "&#39;") in body and WHO[language] in body


def test_a_pupils_refusal_is_in_the_pupils_language(world: PagesWorld) -> None:
    hub, people = world.hub, world.demo.people
    project = hub.create_project(people["national_founder_1"], people["partner_pl"], "Other")
    hub.validate_project("ES", project.id)
    other = hub.validate_project("PL", project.id).twinspace_id
    client = world.launched("pupil-b", [ROLE_LEARNER], world.ts, **presentation("es"))
    response = client.get(f"/embed/twinspace/{other}")
    body = page(response)
    assert response.status_code == 403 and 'data-error="not_your_resource"' in body
    assert "Esta página pertenece a una actividad distinta de la que has abierto." in body
    assert "tú: abre esta actividad desde tu curso" in body


@pytest.mark.parametrize(
    ("accept", "language", "description"),
    [
        ("fr-FR,fr;q=0.9", "fr", "Votre session est terminée ou n&#39;a jamais commencé."),
        ("es", "es", "Tu sesión ha terminado o nunca se inició."),
        ("pl,de;q=0.8", "en", "Your session has ended or was never started."),
    ],
)
def test_without_a_session_the_error_page_follows_the_browser(
    world: PagesWorld, accept: str, language: str, description: str
) -> None:
    response = world.client().get(world.ts_url, headers={"Accept-Language": accept})
    body = page(response)
    assert response.status_code == 401 and 'data-error="no_launch_session"' in body
    assert f'<html lang="{language}">' in body and description in body


def test_api_errors_stay_english_json(world: PagesWorld) -> None:
    """Scripts match on codes and messages: JSON errors are not translated."""
    response = world.client().get("/api/v1/twinspaces", headers={"Accept-Language": "fr"})
    assert response.status_code == 401
    assert response.get_json()["message"] == "A valid API token is required."


@pytest.mark.parametrize(
    ("locale", "language", "words"),
    [
        ("fr", "fr", "Votre rôle dans ce cours ne donne pas accès à eTwinning."),
        ("es-ES", "es", "Tu rol en este curso no da acceso a eTwinning."),
        ("xx-YY", "en", "Your role in this course does not give access to eTwinning."),
    ],
)
def test_a_refused_launch_speaks_the_launch_language(
    world: PagesWorld, locale: str, language: str, words: str
) -> None:
    """No session exists yet: the verified launch's claim chooses the refusal's language."""
    response = world.launcher.launch(
        world.client(),
        sub="founder-fr",
        roles=["http://example.com/roles#Janitor"],
        resource=world.ts,
        **presentation(locale),
    )
    body = page(response)
    assert response.status_code in (401, 403) and f'<html lang="{language}">' in body
    assert words in body


# The role groups of the summary and the member list: whole nouns, never a role + "s".
GROUPS = {
    "es": ("Docentes administradores", "Alumnos"),
    "fr": ("Enseignants administrateurs", "Élèves"),
}


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_role_groups_are_whole_plurals_of_the_language(
    world: PagesWorld, language: str
) -> None:
    client = world.launched("founder-fr", [ROLE_INSTRUCTOR], world.ts, **presentation(language))
    summary = page(client.get(world.ts_url))
    members = page(client.get(f"{world.ts_url}/members"))
    for body in (summary, members):
        assert all(f"{group}</" in body or f"{group}:" in body for group in GROUPS[language])
        assert "Teacher administrators" not in body  # (the demo text itself is English)
