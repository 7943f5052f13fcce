"""Languages of the pages (ADR 0029): which locale a request gets, and how dates read in it.

The locale is the launch's ``launch_presentation.locale`` claim when there is a launch session
(the LMS knows the user's language best), else the browser's ``Accept-Language``, else English.
Only the languages with complete catalogs are offered; every other tag, eTwinning language or
garbage alike, reads English, never an error.

Dates and times are shown in one format per locale (Babel's ``medium`` date, ``short`` time)
and a time always names its time zone (``ETWIN_TIMEZONE``, an IANA name, UTC by default).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from flask import Flask, g, request
from flask_babel import (
    Babel,
    format_date,
    format_decimal,
    format_time,
    get_locale,
    get_timezone,
    get_translations,
    gettext,
    refresh,
)
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from etwin_lti.domain.moderation import PUPIL_AUTHOR
from etwin_lti.domain.translatable import DEFAULT_LOCALE, SUPPORTED_LOCALES, supported_locale
from etwin_lti.errors import ConfigurationError, EtwinLtiError
from etwin_lti.persistence.db import lost_database
from etwin_lti.services.pages.common import FORMER_MEMBER
from etwin_lti.services.wording import Wording, wording_for
from etwin_lti.web.terms import field_name, term

STAND_IN_NAMES = frozenset({FORMER_MEMBER, PUPIL_AUTHOR})

log = logging.getLogger(__name__)
_TRANSLATIONS = "_etwin_translations"  # on a template's Jinja context


def select_locale() -> str:
    launch = _launch_locale()
    if launch is not None:
        return launch
    best = request.accept_languages.best_match(SUPPORTED_LOCALES)
    return best or DEFAULT_LOCALE


def _launch_locale() -> str | None:
    """The stored launch's locale; no session (or none readable) is not an error here: the page
    being rendered may be the very error page saying so."""
    from etwin_lti.web.session import current_launch

    session = g.get("etwin_launch")
    if session is None and g.get("etwin_error_locale"):
        return supported_locale(g.etwin_error_locale)
    if session is None:
        if g.get("etwin_locale_lookup_failed"):
            return None
        try:
            session = current_launch()
        except Exception as error:  # noqa: BLE001
            # Whatever stopped the session's read (the database down among them) may be what
            # this very page is saying: the browser's language then, not a second failure
            # inside the error handler. A page that needs the session reads it itself.
            if not (isinstance(error, EtwinLtiError) or lost_database(error)):
                log.debug("no launch locale: the session could not be read", exc_info=True)
            g.etwin_locale_lookup_failed = True
            return None
    return supported_locale(session.locale)


def translate(message: str | None) -> str | None:
    """Text marked with ``N_`` outside the web layer, in the page's language (unknown text, such
    as a description built with values, stays as it is)."""
    return gettext(message) if message and isinstance(message, str) else message


def speak_as(error: EtwinLtiError) -> None:
    """Render this error's page in the language its launch asked for (no session holds it)."""
    if error.locale and g.get("etwin_launch") is None:
        g.etwin_error_locale = error.locale
        refresh()  # Flask-Babel keeps the request's locale once chosen


def translated_description(error: EtwinLtiError) -> str:
    """The error's description in the page's language, its values filled in."""
    message = getattr(error, "message", error.description)
    if message != error.description and not error.params:
        message = error.description  # the description was changed after construction
    if error.params:
        return str(gettext(message, **error.params))
    return translate(message) or ""


def author_name(name: str) -> str:
    """A person's name as it is; only the tool's own stand-ins ("A former member") translate,
    so that nobody's real name is ever mistaken for a text of the catalogs."""
    return str(gettext(name)) if name in STAND_IN_NAMES else name


def page_wording() -> Wording:
    """The services' ``Wording`` in this page's language (a certificate, a badge page)."""
    return wording_for(html_lang())


def spoken_list(names: Sequence[str]) -> str:
    """``France, Italy and Poland`` in the page's language (CLDR's list pattern)."""
    return page_wording().spoken_list(names)


def html_lang() -> str:
    return str(get_locale() or DEFAULT_LOCALE)


def _as_date(value: date | str) -> date | str:
    """Some views hand over ISO text (a certificate's ``issued_on``); other text stays as is."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def date_filter(value: date | datetime | str | None) -> str:
    if value is None:
        return ""
    value = _as_date(value)
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        value = value.astimezone(get_timezone()) if value.tzinfo else value
        return format_date(value.date(), "medium")
    return format_date(value, "medium")


def datetime_filter(value: datetime | None) -> str:
    """``4 déc. 2026, 14:05 UTC``: the locale's own way to join date and time, with the zone."""
    if value is None:
        return ""
    locale = get_locale() or Locale.parse(DEFAULT_LOCALE)
    pattern = locale.datetime_formats["medium"]
    when = value.astimezone(get_timezone()) if value.tzinfo else value
    joined = str(pattern).format(format_time(value, "short"), format_date(when.date(), "medium"))
    return f"{joined} {_zone_name(value)}"


def time_filter(value: datetime | None) -> str:
    if value is None:
        return ""
    return f"{format_time(value, 'short')} {_zone_name(value)}"


def _zone_name(value: datetime) -> str:
    zone = get_timezone()
    name = value.astimezone(zone).tzname() if value.tzinfo else None
    return name or str(zone)


def time_element(value: datetime | date | str | None, *, with_time: bool = True) -> Markup:
    """``<time datetime="ISO">localised</time>``: machines read the attribute, people the text."""
    if value is None:
        return Markup("")
    value = _as_date(value)
    if isinstance(value, str):
        return Markup("{}").format(value)
    if with_time and isinstance(value, datetime):
        shown, machine = datetime_filter(value), value.isoformat()
    else:
        day = value.date() if isinstance(value, datetime) else value
        shown, machine = date_filter(value), day.isoformat()
    return Markup('<time datetime="{}">{}</time>').format(escape(machine), shown)


def language_name(code: str, english: str) -> str:
    """A working language's name in the page's language (``fr`` reads "francés" in Spanish)."""
    try:
        name = Locale.parse(code).get_display_name(get_locale() or DEFAULT_LOCALE)
    except (ValueError, TypeError, LookupError):
        return english
    return name or english


def _translations(context: Context) -> Any:
    """The request's translations, looked up once per rendered template: Flask-Babel's own
    template callables look them up (four context-local reads) for every ``_()``, which was a
    tenth of a launch's CPU (ADR 0036). ``speak_as`` changes the locale before a page renders,
    never during, so a template's context keeps the right catalog."""
    found = getattr(context, _TRANSLATIONS, None)
    if found is None:
        found = get_translations()
        setattr(context, _TRANSLATIONS, found)
    return found


def install_template_gettext(app: Flask) -> None:
    """Jinja's ``_``, ``gettext``, ``ngettext``, ``pgettext``, ``npgettext`` with newstyle
    semantics (as Flask-Babel installs them: the result is markup in an autoescaped template,
    and always formatted with the call's keywords), each in one call over ``_translations``
    instead of three nested ``Context.call``s, and ``term``."""

    def finish(context: Context, text: str, variables: dict[str, Any]) -> str:
        if context.eval_ctx.autoescape:
            return Markup(text) % variables
        return text % variables

    @pass_context
    def template_gettext(context: Context, message: str, /, **variables: Any) -> str:
        return finish(context, _translations(context).ugettext(message), variables)

    @pass_context
    def template_ngettext(
        context: Context, singular: str, plural: str, n: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", n)
        text = _translations(context).ungettext(singular, plural, n)
        return finish(context, text, variables)

    @pass_context
    def template_pgettext(context: Context, where: str, message: str, /, **variables: Any) -> str:
        return finish(context, _translations(context).upgettext(where, message), variables)

    @pass_context
    def template_npgettext(
        context: Context, where: str, singular: str, plural: str, n: int, /, **variables: Any
    ) -> str:
        variables.setdefault("num", n)
        text = _translations(context).unpgettext(where, singular, plural, n)
        return finish(context, text, variables)

    @pass_context
    def template_term(context: Context, value: object) -> str:
        return term(value, _translations(context).ugettext)

    app.jinja_env.newstyle_gettext = True  # type: ignore[attr-defined]
    app.jinja_env.globals.update(
        _=template_gettext,
        gettext=template_gettext,
        ngettext=template_ngettext,
        pgettext=template_pgettext,
        npgettext=template_npgettext,
        term=template_term,
    )


def install_i18n(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LOCALE)
    zone = str(app.config.get("TIMEZONE") or "UTC")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"ETWIN_TIMEZONE must be an IANA time zone name such as Europe/Brussels, not {zone!r}."
        ) from None
    app.config["BABEL_DEFAULT_TIMEZONE"] = zone
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", "translations")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["date"] = date_filter
    app.jinja_env.filters["datetime"] = datetime_filter
    app.jinja_env.filters["time"] = time_filter
    app.jinja_env.filters["translate"] = translate
    app.jinja_env.filters["error_description"] = translated_description
    app.jinja_env.filters["author"] = author_name
    app.jinja_env.filters["number"] = format_decimal
    app.jinja_env.filters["spoken_list"] = spoken_list
    app.jinja_env.globals.update(
        html_lang=html_lang,
        time_element=time_element,
        language_name=language_name,
        field_name=field_name,
        Markup=Markup,  # to wrap a value in markup inside a translated sentence
    )
    install_template_gettext(app)
