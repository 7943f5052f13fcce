"""Moderation and editing of TwinSpace content (issue 12 item 2).

Who may do what (DESIGN.md "TwinSpace roles", "Privacy"):

- the **author** edits and deletes their own page, material, Diary post or comment, forum thread
  or reply, while they are an active member of the TwinSpace; content a teacher administrator
  hid is theirs to delete but no longer to edit (the teacher decided it must not be seen);
- a **teacher administrator of that TwinSpace** hides, restores and deletes anyone's content and
  switches pages and materials between public and private, pupils' included: that is how a
  pupil's work becomes public, and only then (``twinspaces.resolve_visibility`` keeps pupils
  from publishing it themselves); they never rewrite someone else's words;
- an author who may publish (``Action.PUBLISH``) may also switch their own page or material;
  anyone may make their own content private;
- everyone else is refused (403), and an archived TwinSpace refuses every change (409).

Hidden content is seen by the TwinSpace's teacher administrators only, marked, with a way to
restore it. Public pages of pupils never show the pupil's name (``PUPIL_AUTHOR``).

Each ``check_*`` raises the error the port promises and returns nothing useful beyond the
member it checked.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.model import Member, TwinSpaceRole, Visibility
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspaces import PERMISSIONS, Action, check_active_member, is_active
from etwin_lti.domain.validation import BODY_MAX, COMMENT_MAX, FieldErrors
from etwin_lti.errors import (
    InvalidInputError,
    PermissionDeniedError,
    PupilFixer,
    RuleViolationError,
)

ADMINISTRATORS = N_("a teacher administrator of this TwinSpace")
# What a public view shows instead of a pupil's pseudonym (DESIGN.md "Privacy").
PUPIL_AUTHOR = N_("A pupil of the project")


class ContentKind(enum.StrEnum):
    PAGE = "page"
    MATERIAL = "material"
    DIARY_POST = "diary_post"
    DIARY_COMMENT = "diary_comment"
    THREAD = "thread"
    FORUM_POST = "forum_post"


# Only pages and materials are public or private; the Diary and the forum follow their space.
WITH_VISIBILITY = frozenset({ContentKind.PAGE, ContentKind.MATERIAL})

# The fields an edit may change, per kind (a thread's first message is its first forum post).
EDITABLE: Mapping[ContentKind, tuple[str, ...]] = {
    ContentKind.PAGE: ("title", "body"),
    ContentKind.MATERIAL: ("title", "url"),
    ContentKind.DIARY_POST: ("title", "body"),
    ContentKind.DIARY_COMMENT: ("body",),
    ContentKind.THREAD: ("title",),
    ContentKind.FORUM_POST: ("body",),
}
# An uploaded file's material (issue 12): its bytes are its content, only the title is edited.
FILE_MATERIAL_EDITABLE: tuple[str, ...] = ("title",)

# Words for people: "a page", "a Diary comment".
NOUNS: Mapping[ContentKind, str] = {
    ContentKind.PAGE: "page",
    ContentKind.MATERIAL: "material",
    ContentKind.DIARY_POST: "Diary post",
    ContentKind.DIARY_COMMENT: "Diary comment",
    ContentKind.THREAD: "forum thread",
    ContentKind.FORUM_POST: "forum reply",
}

MODERATION_ACTIONS = (
    AuditAction.CONTENT_EDITED,
    AuditAction.CONTENT_DELETED,
    AuditAction.CONTENT_HIDDEN,
    AuditAction.CONTENT_RESTORED,
    AuditAction.CONTENT_VISIBILITY_CHANGED,
)

# What the trail says each action did.
VERBS: Mapping[str, str] = {
    AuditAction.CONTENT_EDITED.value: "edited",
    AuditAction.CONTENT_DELETED.value: "deleted",
    AuditAction.CONTENT_HIDDEN.value: "hid",
    AuditAction.CONTENT_RESTORED.value: "restored",
    AuditAction.CONTENT_VISIBILITY_CHANGED.value: "changed who sees",
}


@dataclass(frozen=True)
class ContentState:
    """Where a piece of content stands after a moderation call."""

    kind: ContentKind
    id: int
    twinspace_id: int
    author_id: int
    hidden: bool
    visibility: Visibility | None  # None for kinds without (the Diary, the forum)


@dataclass(frozen=True)
class ModerationEntry:
    """One line of a TwinSpace's moderation trail (from the audit log)."""

    id: int
    at: datetime
    action: str  # an AuditAction value of MODERATION_ACTIONS
    kind: ContentKind
    content_id: int
    by: int | None  # the person who acted; None when it was not a person (the CLI)
    visibility: Visibility | None = None  # for visibility changes: the new one


class ModerationRefusedError(PermissionDeniedError):
    error = "moderation_refused"
    description = N_(
        "Only a teacher administrator of this TwinSpace can do this to others' content."
    )
    who_can_fix = ADMINISTRATORS


class NotTheAuthorError(PermissionDeniedError):
    error = "not_the_author"
    description = N_("Only its author can edit this.")
    who_can_fix = N_("its author; a teacher administrator of this TwinSpace can hide or delete it")


class HiddenContentError(RuleViolationError):
    error = "content_hidden"
    description = N_("A teacher administrator hid this: it can no longer be edited.")
    who_can_fix = N_("a teacher administrator of this TwinSpace (who can restore it)")
    pupil_fixer = PupilFixer.AS_SAID


class ContentStateError(RuleViolationError):
    """Out of order: hiding what is hidden, restoring what is shown, publishing what is public."""

    error = "content_state"
    who_can_fix = N_("you: reload the page to see where it stands")
    pupil_fixer = PupilFixer.AS_SAID


def is_administrator(member: Member | None) -> bool:
    return (
        is_active(member)
        and member is not None
        and member.role is TwinSpaceRole.TEACHER_ADMINISTRATOR
    )


def sees_hidden(viewer: Member | None) -> bool:
    """Hidden content: for the TwinSpace's active teacher administrators only."""
    return is_administrator(viewer)


def check_moderate(actor: Member | None) -> Member:
    """Hiding, restoring, the moderation trail: teacher administrators of this TwinSpace."""
    if not is_administrator(actor):
        raise ModerationRefusedError()
    assert actor is not None
    return actor


def check_edit(actor: Member | None, author_id: int, *, hidden: bool) -> Member:
    """Only the author rewrites their words, and not once a teacher administrator hid them."""
    member = check_active_member(actor)
    if member.person_id != author_id:
        raise NotTheAuthorError()
    if hidden:
        raise HiddenContentError()
    return member


def check_delete(actor: Member | None, author_id: int) -> Member:
    """The author, or a teacher administrator of this TwinSpace."""
    if actor is None or not is_active(actor):
        raise ModerationRefusedError(
            "Only its author or a teacher administrator of this TwinSpace can delete this."
        )
    if actor.person_id == author_id or actor.role is TwinSpaceRole.TEACHER_ADMINISTRATOR:
        return actor
    raise ModerationRefusedError(
        "Only its author or a teacher administrator of this TwinSpace can delete this."
    )


def check_visibility(
    actor: Member | None, kind: ContentKind, author_id: int, wanted: Visibility
) -> Member:
    """Administrators switch anything; authors make their own private, or public when their
    role may publish (pupils never may)."""
    if kind not in WITH_VISIBILITY:
        raise InvalidInputError(
            errors={"kind": ["Only pages and materials are public or private."]}
        )
    if is_administrator(actor):
        assert actor is not None
        return actor
    member = check_active_member(actor)
    if member.person_id != author_id:
        raise ModerationRefusedError(
            "Only a teacher administrator of this TwinSpace can publish or unpublish others' "
            "content."
        )
    if wanted is Visibility.PUBLIC and Action.PUBLISH not in PERMISSIONS[member.role]:
        raise ModerationRefusedError(
            "Content made by pupils becomes public only when a teacher administrator publishes it."
        )
    return member


def clean_edit(
    kind: ContentKind, *, title: str | None, body: str | None, url: str | None
) -> dict[str, str]:
    """The changed fields, checked with the same limits as when the content was added."""
    errors = FieldErrors()
    given = {"title": title, "body": body, "url": url}
    allowed = EDITABLE[kind]
    clean: dict[str, str] = {}
    for name, value in given.items():
        if value is None:
            continue
        if name not in allowed:
            errors.add(name, f"A {NOUNS[kind]} has no {name} to edit.")
        elif name == "title":
            clean[name] = errors.title(name, value)
        elif name == "url":
            clean[name] = errors.url(name, value)
        else:
            clean[name] = errors.text(
                name,
                value,
                max_length=COMMENT_MAX if kind is ContentKind.DIARY_COMMENT else BODY_MAX,
                required=kind is not ContentKind.PAGE,
            )
    if not given.keys() & {k for k, v in given.items() if v is not None}:
        errors.add(allowed[0], "Nothing to change: give " + " or ".join(allowed) + ".")
    errors.raise_if_any()
    return clean


def author_label(name: str, *, is_pupil: bool, public_view: bool) -> str:
    """A pupil's pseudonym only for the members who see private content."""
    return PUPIL_AUTHOR if is_pupil and public_view else name
