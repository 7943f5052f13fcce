"""The TwinSpace page's editing and moderation controls (``etwin_lti.domain.moderation``).

Which buttons a line of content shows is decided here from the same rules the hub enforces, so
nobody sees a button that would be refused: the author edits (while not hidden) and deletes
their own; a teacher administrator of the TwinSpace hides, restores, deletes and publishes
anyone's; nothing in an archived TwinSpace. The hub checks every post again.

Each control is named for screen readers after what it acts on ("Edit page 'Our town'"), and
each accepted action comes back to the page with a message saying what happened.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from etwin_lti.domain import moderation, twinspaces
from etwin_lti.domain.audit import AuditAction
from etwin_lti.domain.model import Member, Visibility
from etwin_lti.domain.moderation import EDITABLE, NOUNS, VERBS, ContentKind, ModerationEntry
from etwin_lti.domain.ports import ContentHub
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspaces import PERMISSIONS, Action
from etwin_lti.domain.validation import FieldErrors
from etwin_lti.errors import NotFoundError
from etwin_lti.services.pages.common import FORMER_MEMBER, field_choice

ACTIONS = ("edit", "delete", "hide", "restore", "visibility")
KINDS = {k.value: k for k in ContentKind}
VISIBILITIES = {v.value: v for v in Visibility}
TRAIL_LENGTH = 15


# One confirmation per kind and action (``page_hidden``), each a whole sentence: Spanish and
# French nouns have genders, so no sentence is built from a noun.
MESSAGES = {
    "page_edited": N_("Your changes to the page were saved."),
    "page_deleted": N_("The page was deleted."),
    "page_hidden": N_(
        "The page is hidden: only teacher administrators see it now (restore it to show it)."
    ),
    "page_restored": N_("The page was restored: members see it again."),
    "page_public": N_("The page is public now: anyone can see it."),
    "page_private": N_("The page is private now: members only."),
    "material_edited": N_("Your changes to the material were saved."),
    "material_deleted": N_("The material was deleted."),
    "material_hidden": N_(
        "The material is hidden: only teacher administrators see it now (restore it to show it)."
    ),
    "material_restored": N_("The material was restored: members see it again."),
    "material_public": N_("The material is public now: anyone can see it."),
    "material_private": N_("The material is private now: members only."),
    "diary_post_edited": N_("Your changes to the Diary post were saved."),
    "diary_post_deleted": N_("The Diary post was deleted."),
    "diary_post_hidden": N_(
        "The Diary post is hidden: only teacher administrators see it now (restore it to show it)."
    ),
    "diary_post_restored": N_("The Diary post was restored: members see it again."),
    "diary_post_public": N_("The Diary post is public now: anyone can see it."),
    "diary_post_private": N_("The Diary post is private now: members only."),
    "diary_comment_edited": N_("Your changes to the Diary comment were saved."),
    "diary_comment_deleted": N_("The Diary comment was deleted."),
    "diary_comment_hidden": N_(
        "The Diary comment is hidden: only teacher administrators see it now "
        "(restore it to show it)."
    ),
    "diary_comment_restored": N_("The Diary comment was restored: members see it again."),
    "diary_comment_public": N_("The Diary comment is public now: anyone can see it."),
    "diary_comment_private": N_("The Diary comment is private now: members only."),
    "thread_edited": N_("Your changes to the forum thread were saved."),
    "thread_deleted": N_("The forum thread was deleted."),
    "thread_hidden": N_(
        "The forum thread is hidden: only teacher administrators see it now "
        "(restore it to show it)."
    ),
    "thread_restored": N_("The forum thread was restored: members see it again."),
    "thread_public": N_("The forum thread is public now: anyone can see it."),
    "thread_private": N_("The forum thread is private now: members only."),
    "forum_post_edited": N_("Your changes to the forum reply were saved."),
    "forum_post_deleted": N_("The forum reply was deleted."),
    "forum_post_hidden": N_(
        "The forum reply is hidden: only teacher administrators see it now (restore it to show it)."
    ),
    "forum_post_restored": N_("The forum reply was restored: members see it again."),
    "forum_post_public": N_("The forum reply is public now: anyone can see it."),
    "forum_post_private": N_("The forum reply is private now: members only."),
}


@dataclass(frozen=True)
class ContentActs:
    """What the viewer may do to one line of content, and how the buttons are named."""

    kind: str = ""  # a ContentKind value: the URL's <kind>
    id: int = 0
    label: str = ""  # "page 'Our town'": the buttons' aria-label ends with it
    hidden: bool = False
    edit: bool = False
    delete: bool = False
    moderate: bool = False  # hide or restore
    make_public: bool = False
    make_private: bool = False
    fields: tuple[str, ...] = ()  # what the edit form asks for

    @property
    def any(self) -> bool:
        return self.edit or self.delete or self.moderate or self.make_public or self.make_private


@dataclass(frozen=True)
class TrailLine:
    at: datetime
    who: str
    what: str


def acts_for(
    viewer: Member | None,
    *,
    writable: bool,
    kind: ContentKind,
    content_id: int,
    author_id: int,
    hidden: bool,
    label: str,
    visibility: Visibility | None = None,
    opens_thread: bool = False,
    fields: tuple[str, ...] | None = None,  # when not the kind's (a file material: its title)
) -> ContentActs:
    own = (
        viewer is not None
        and twinspaces.is_active(viewer)
        and viewer.person_id == author_id
        and writable
    )
    admin = writable and moderation.is_administrator(viewer)
    publishes = own and viewer is not None and Action.PUBLISH in PERMISSIONS[viewer.role]
    switchable = kind in moderation.WITH_VISIBILITY and not (hidden and not admin)
    return ContentActs(
        kind=kind.value,
        id=content_id,
        label=f"{NOUNS[kind]} '{label}'",
        hidden=hidden,
        edit=own and not hidden,
        delete=(own or admin) and not opens_thread,  # the opening post goes with its thread
        moderate=admin,
        make_public=switchable and visibility is Visibility.PRIVATE and (admin or publishes),
        make_private=switchable and visibility is Visibility.PUBLIC and (admin or own),
        fields=EDITABLE[kind] if fields is None else fields,
    )


def trail(entries: list[ModerationEntry], names: Mapping[int, str]) -> tuple[TrailLine, ...]:
    lines = []
    for entry in entries:
        who = names.get(entry.by, FORMER_MEMBER) if entry.by is not None else "The tool"
        noun = NOUNS[entry.kind]
        if entry.action == AuditAction.CONTENT_VISIBILITY_CHANGED.value:
            made = entry.visibility.value if entry.visibility else "public or private"
            what = f"made {noun} #{entry.content_id} {made}"
        else:
            what = f"{VERBS.get(entry.action, entry.action)} {noun} #{entry.content_id}"
        lines.append(TrailLine(entry.at, who, what))
    return tuple(lines)


class ContentModeration:
    """The form posts of the controls above (``TwinSpacePages.moderate_content`` calls it)."""

    def __init__(self, hub: ContentHub) -> None:
        self.hub = hub

    def moderate(
        self,
        actor_id: int,
        twinspace_id: int,
        kind_value: str,
        content_id: int,
        action: str,
        form: Mapping[str, str],
    ) -> str:
        """One control's post; returns a ``MESSAGES`` key. The caller checked the launch."""
        kind = KINDS.get(kind_value)
        if kind is None or action not in ACTIONS:
            raise NotFoundError(N_("There is no such action on a TwinSpace page."))
        if action == "edit":
            fields = {name: form.get(name, "") for name in EDITABLE[kind]}
            if kind is ContentKind.MATERIAL and "url" not in form:
                del fields["url"]  # a file material's form asks for its title only
            self.hub.edit_content(actor_id, twinspace_id, kind, content_id, **fields)
            return f"{kind.value}_edited"
        if action == "delete":
            self.hub.delete_content(actor_id, twinspace_id, kind, content_id)
            return f"{kind.value}_deleted"
        if action == "hide":
            self.hub.hide_content(actor_id, twinspace_id, kind, content_id)
            return f"{kind.value}_hidden"
        if action == "restore":
            self.hub.restore_content(actor_id, twinspace_id, kind, content_id)
            return f"{kind.value}_restored"
        errors = FieldErrors()
        wanted = field_choice(errors, form, "visibility", VISIBILITIES)
        if wanted is None and "visibility" not in errors.errors:
            errors.add("visibility", "Choose public or private.")
        errors.raise_if_any()
        assert wanted is not None
        self.hub.set_content_visibility(actor_id, twinspace_id, kind, content_id, wanted)
        return f"{kind.value}_{wanted.value}"


def form_key(kind_value: str) -> str:
    """The FormErrors key of a kind's edit form (shown again beside it when refused)."""
    return f"edit-{kind_value}"


__all__ = [
    "ACTIONS",
    "MESSAGES",
    "ContentActs",
    "ContentModeration",
    "TrailLine",
    "acts_for",
    "form_key",
    "trail",
]
