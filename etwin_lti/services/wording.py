"""Words in a given language, outside any page: mails, the PDF certificate, badge and chart texts.

A page is translated by Flask-Babel for its request's locale; a use case that writes for a
person (the code mail, the certificate they download) must not import Flask (the services
contract), so it is handed a ``Wording``: the very catalogs the pages read
(``etwin_lti/translations``, ADR 0029), loaded with Babel for one locale, with CLDR's dates
and lists. The texts themselves stay marked with ``_()`` on a ``Wording`` (or ``N_`` where
they are constants), so ``pybabel extract`` and ``tests/unit/i18n`` see them.

An unsupported or missing locale is English, never an error (a language must not break a mail
or a download).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

from babel.dates import format_date
from babel.lists import format_list
from babel.support import NullTranslations, Translations

from etwin_lti.domain.translatable import DEFAULT_LOCALE, supported_locale


class Wording:
    """gettext, ngettext, dates and lists for one locale (``en``, ``es`` or ``fr``)."""

    def __init__(self, locale: str, translations: NullTranslations) -> None:
        self.locale = locale
        self._translations = translations
        # English as Europe writes it: "4 December 2026", "France, Italy and Poland" (CLDR's
        # plain "en" is American: "December 4, 2026", a serial comma).
        self._formats = "en_GB" if locale == DEFAULT_LOCALE else locale

    def _(self, message: str, **params: Any) -> str:
        text = self._translations.gettext(message)
        return text % params if params else text

    gettext = _

    def ngettext(self, singular: str, plural: str, num: int, **params: Any) -> str:
        text = self._translations.ngettext(singular, plural, num)
        return text % {"num": num, **params}

    def translate(self, message: str | None) -> str:
        """A text marked with ``N_`` elsewhere (a constant, an error), in this language."""
        return self._translations.gettext(message) if message else ""

    def long_date(self, day: date) -> str:
        """``4 December 2026``, ``4 de diciembre de 2026``, ``4 décembre 2026``: the month
        in words, so no reader mistakes the day for the month."""
        return format_date(day, "long", locale=self._formats)

    def short_date(self, day: date) -> str:
        """``12 Jan 2026``, ``12 ene 2026``, ``12 janv. 2026``: a chart's axis and table."""
        return format_date(day, "medium", locale=self._formats)

    def spoken_list(self, items: Sequence[str]) -> str:
        """``France, Italy and Poland``, ``Francia, Italia y Polonia``, ``France, Italie et
        Pologne`` (CLDR's list pattern of the locale)."""
        return format_list(list(items), locale=self._formats) if items else ""


def wording_for(tag: object) -> Wording:
    """The wording of a locale tag as launches send it (``es-ES``, ``fr_CA``); anything else,
    and English itself, reads the English texts as they are written."""
    return _wording(supported_locale(tag) or DEFAULT_LOCALE)


@cache
def _wording(locale: str) -> Wording:
    if locale == DEFAULT_LOCALE:
        return Wording(locale, NullTranslations())
    directory = str(files("etwin_lti") / "translations")
    return Wording(locale, Translations.load(directory, [locale]))


ENGLISH = wording_for(DEFAULT_LOCALE)
