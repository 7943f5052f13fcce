"""A teacher administrator's TwinSpace at a glance (issue 13 item 6): active members by role
and the contributions of the last weeks, as server-rendered charts (``services.charts``) with
their text alternatives, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from etwin_lti.domain.model import TwinSpaceRole
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspace_snapshot import TwinSpaceSnapshot
from etwin_lti.services import charts
from etwin_lti.services.wording import Wording

ACTIVITY_WEEKS = 8


@dataclass(frozen=True)
class Overview:
    """A teacher administrator's TwinSpace at a glance."""

    roles: charts.ChartData  # active members per role
    activity: charts.ChartData  # contributions per week, the last ``ACTIVITY_WEEKS``
    recent: int  # contributions in those weeks


def _contribution_days(snap: TwinSpaceSnapshot) -> list[date]:
    """When each page, material, Diary post and comment, and forum post was written."""
    moments = [p.created_at for p in snap.pages] + [m.created_at for m in snap.materials]
    for post in snap.diary:
        moments += [post.created_at, *(c.created_at for c in post.comments)]
    for thread in snap.threads:
        moments += [p.created_at for p in thread.posts]
    return [m.date() for m in moments]


# A role's members (the summary, the member list's groups, a chart's bar): a whole noun in
# each language, never an English "s" added to the role's name.
ROLE_PLURALS = {
    TwinSpaceRole.TEACHER_ADMINISTRATOR: N_("Teacher administrators"),
    TwinSpaceRole.TEACHER: N_("Teachers"),
    TwinSpaceRole.EXPERT: N_("Experts"),
    TwinSpaceRole.OBSERVER: N_("Observers"),
    TwinSpaceRole.PUPIL_ADMINISTRATOR: N_("Pupil administrators"),
    TwinSpaceRole.PUPIL: N_("Pupils"),
    TwinSpaceRole.GUEST: N_("Guests"),
}


def overview(snap: TwinSpaceSnapshot, today: date | None, words: Wording) -> Overview:
    _ = words._
    total = sum(c.active + c.suspended for c in snap.role_counts)
    roles = charts.bar_chart(
        f"roles-{snap.twinspace.id}",
        _("Active members by role"),
        [
            charts.Bar(words.translate(ROLE_PLURALS[c.role]), c.active, total)
            for c in snap.role_counts
        ],
        unit=_("members"),
        heading=_("Role"),
        width=charts.NARROW,  # the members' column
        words=words,
    )
    days = _contribution_days(snap)
    end = today or max(days, default=snap.project.created_at.date())
    mondays = charts.weeks(end - timedelta(weeks=ACTIVITY_WEEKS - 1), end)
    counts = charts.count_by_week(days, mondays)
    activity = charts.bar_chart(
        f"activity-{snap.twinspace.id}",
        _("Contributions of the last %(weeks)s weeks, by the week's Monday", weeks=ACTIVITY_WEEKS),
        [charts.Bar(words.short_date(m), n, 0) for m, n in zip(mondays, counts, strict=True)],
        unit=_("contributions"),
        heading=_("Week of"),
        width=charts.NARROW,
        words=words,
    )
    return Overview(roles, activity, sum(counts))
