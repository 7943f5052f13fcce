"""The words for the machine values the pages show (roles, statuses, kinds, form fields).

Templates call ``term(value)``: the value's word in the page's language, or the value itself
with underscores as spaces when it has none. The services' ``label()`` text ("Teacher
administrator") is listed too, so that ``|translate`` finds it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext

from etwin_lti.domain.translatable import N_

TERMS: dict[str, str] = {
    # TwinSpace roles and the launch roles the pages show
    "teacher_administrator": N_("teacher administrator"),
    "teacher": N_("teacher"),
    "expert": N_("expert"),
    "observer": N_("observer"),
    "pupil_administrator": N_("pupil administrator"),
    "pupil": N_("pupil"),
    "guest": N_("guest"),
    "visitor": N_("visitor"),
    "trainer": N_("trainer"),
    "trainee": N_("trainee"),
    "participant": N_("participant"),
    "tool_admin": N_("tool administrator"),
    "tool-admin": N_("tool administrator"),
    # statuses
    "open": N_("open"),
    "archived": N_("archived"),
    "running": N_("running"),
    "finished": N_("finished"),
    "pending": N_("pending"),
    "approved": N_("approved"),
    "closed": N_("closed"),
    "granted": N_("granted"),
    "refused": N_("refused"),
    "used": N_("used"),
    "revoked": N_("revoked"),
    "expired": N_("expired"),
    "sent": N_("sent"),
    "skipped": N_("skipped"),
    "dead": N_("failed"),
    "active": N_("active"),
    "suspended": N_("suspended"),
    # visibility and kinds of material and resource
    "public": N_("public"),
    "private": N_("private"),
    "document": N_("document"),
    "photo": N_("photo"),
    "sound": N_("sound"),
    "video": N_("video"),
    "link": N_("link"),
    "twinspace": N_("TwinSpace"),
    "event": N_("Learning Event"),
    "unit": N_("unit"),
    "submission": N_("submission"),
    # form fields named in error lines
    "title": N_("Title"),
    "body": N_("Text"),
    "url": N_("Link"),
    "kind": N_("Kind"),
    "file": N_("File"),
    "visibility": N_("Visibility"),
    "role": N_("Role"),
    "display_name": N_("Name"),
    "description": N_("Description"),
    "subjects": N_("Subjects"),
    "languages": N_("Working languages"),
    "levels": N_("Educational levels"),
    "ends_on": N_("End date"),
    "confirm": N_("Confirmation"),
    "label": N_("Label"),
    "days": N_("Days"),
    "note": N_("Note"),
    "invitee": N_("eTwinning person number"),
    "email": N_("E-mail address"),
    "code": N_("Code"),
    "school": N_("School"),
    "country_code": N_("Country"),
    "person": N_("Person"),
    "invitation": N_("Invitation link"),
}

# What services.pages.common.label() makes of the values above, and other labels they build.
LABELS = (
    N_("Teacher administrator"),
    N_("Teacher"),
    N_("Expert"),
    N_("Observer"),
    N_("Pupil administrator"),
    N_("Pupil"),
    N_("Guest"),
    N_("Pending"),
    N_("Approved"),
    N_("Closed"),
    N_("Etwinning label"),
    N_("National quality label"),
    N_("European quality label"),
    N_("Event certificate"),
    N_("Course certificate"),
)


def term(value: object, translate: Callable[[str], str] = gettext) -> str:
    """``translate``: the templates pass their own (``web.i18n``, one catalog lookup a page)."""
    text = str(getattr(value, "value", value) or "")
    known = TERMS.get(text)
    return translate(known) if known else text.replace("_", " ")


def field_name(field: str) -> str:
    known = TERMS.get(field)
    return gettext(known) if known else field.replace("_", " ").capitalize()
