"""Acknowledgements people can use (issue 5 item 3): a learner's own certificates, badges and
labels with their Open Badges links, and for the trainers of a course edition who earned what,
per-unit completion counts and a CSV export.

The links are the ones ``etwin_lti.services.badges`` serves: the hosted assertion (public JSON,
nothing personal) and the printable certificate, whose link carries the keyed capability of
``badges.certificate_key`` because it shows the holder's name. The dashboard and its CSV show
display names only (pseudonyms for pupils) and no other identifier: no e-mail, no LMS id.

Pictures (issue 13 item 6): the dashboard draws how many trainees finished each unit and the
units completed week by week since the edition started (``services.charts``, SVG with a table
of the same numbers), and lists who holds the course certificate.

Cost: the dashboard asks the hub for each trainee's progress in each unit (trainees x units
calls): fine for a course edition (tens of trainees, a handful of units); a remote hub with
hundreds of trainees would want a bulk progress call.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from etwin_lti.domain import course
from etwin_lti.domain.launches import LaunchSession
from etwin_lti.domain.model import Acknowledgement, Edition, Unit
from etwin_lti.domain.ports import CourseHub, RecognitionHub
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import PermissionDeniedError, PupilFixer
from etwin_lti.services import badges, charts
from etwin_lti.services.wording import ENGLISH, Wording


class NotATrainerError(PermissionDeniedError):
    error = "not_a_trainer"
    description = N_("Only the trainers of this course edition see who earned what.")
    who_can_fix = N_("the course's organiser (ask to be added as a trainer of the edition)")
    pupil_fixer = PupilFixer.TEACHER


@dataclass(frozen=True)
class AcknowledgementLine:
    id: int
    title: str
    kind: str
    kind_label: str
    issued_at: datetime
    revoked: bool
    assertion_url: str
    certificate_url: str  # printable, with its keyed capability


@dataclass(frozen=True)
class AcknowledgementLinks:
    """Builds the links of ``/badges/``; ``key`` is ``badges.recipient_key(secret)``."""

    urls: badges.BadgeUrls
    key: bytes

    def line(self, a: Acknowledgement) -> AcknowledgementLine:
        return AcknowledgementLine(
            id=a.id,
            title=a.title,
            kind=a.kind.value,
            kind_label=badges.KIND_LABELS[a.kind],
            issued_at=a.issued_at,
            revoked=a.revoked_at is not None,
            assertion_url=self.urls.assertion(a.id),
            certificate_url=(
                f"{self.urls.certificate(a.id)}?k={badges.certificate_key(self.key, a.id)}"
            ),
        )

    def lines(self, items: Iterable[Acknowledgement]) -> tuple[AcknowledgementLine, ...]:
        return tuple(self.line(a) for a in items)


@dataclass(frozen=True)
class TraineeLine:
    name: str
    units_complete: tuple[bool, ...]  # one per unit, in unit order
    certificate: AcknowledgementLine | None
    completed_on: tuple[date, ...] = ()  # when each unit with activities was completed

    @property
    def complete_count(self) -> int:
        return sum(self.units_complete)


@dataclass(frozen=True)
class EditionDashboard:
    edition: Edition
    units: tuple[Unit, ...]
    completed_per_unit: tuple[int, ...]
    trainees: tuple[TraineeLine, ...]
    by_unit: charts.ChartData  # trainees who completed each unit
    over_time: charts.ChartData  # units completed, week by week

    @property
    def certificates_issued(self) -> int:
        return sum(1 for t in self.trainees if t.certificate and not t.certificate.revoked)

    @property
    def holders(self) -> tuple[TraineeLine, ...]:
        """Who earned the edition's certificate, the earliest first."""
        held = [(t.certificate.issued_at, t.name, t) for t in self.trainees if t.certificate]
        return tuple(t for _at, _name, t in sorted(held, key=lambda h: (h[0], h[1])))


@dataclass(frozen=True)
class AcknowledgementsView:
    role: str  # data-etwin-role
    mine: tuple[AcknowledgementLine, ...]
    dashboards: tuple[EditionDashboard, ...]  # editions the viewer trains


class AcknowledgementPagesHub(CourseHub, RecognitionHub, Protocol):
    """The viewer's acknowledgements and the dashboards of the editions they train."""


class AcknowledgementPages:
    def __init__(self, hub: AcknowledgementPagesHub, links: AcknowledgementLinks) -> None:
        self.hub = hub
        self.links = links

    def view(
        self, session: LaunchSession, *, today: date | None = None, words: Wording = ENGLISH
    ) -> AcknowledgementsView:
        """``today`` ends the dashboards' time line (None: each edition's last day); ``words``
        are the reader's, for the charts."""
        me = session.person_id
        if me is None:
            return AcknowledgementsView(session.role, (), ())
        mine = self.links.lines(self.hub.list_acknowledgements(person_id=me))
        trained = [e for e in self.hub.list_editions() if me in e.trainer_ids]
        boards = tuple(self._dashboard(e, today, words) for e in trained)
        return AcknowledgementsView(session.role, mine, boards)

    def dashboard(
        self, session: LaunchSession, edition_id: int, *, today: date | None = None
    ) -> EditionDashboard:
        edition = self.hub.get_edition(edition_id)  # unknown: 404 first
        if session.person_id is None or session.person_id not in edition.trainer_ids:
            raise NotATrainerError()
        return self._dashboard(edition, today, ENGLISH)  # the CSV's numbers, not its charts

    def progress_csv(self, session: LaunchSession, edition_id: int) -> str:
        board = self.dashboard(session, edition_id)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
        writer.writerow(
            ["trainee", *(u.title for u in board.units), "units complete", "certificate issued"]
        )
        for t in board.trainees:
            issued = t.certificate.issued_at.date().isoformat() if t.certificate else ""
            writer.writerow(
                [
                    _csv_safe(t.name),
                    *("yes" if done else "no" for done in t.units_complete),
                    f"{t.complete_count}/{len(board.units)}",
                    issued,
                ]
            )
        return out.getvalue()

    def _dashboard(self, edition: Edition, today: date | None, words: Wording) -> EditionDashboard:
        units = tuple(self.hub.list_units(edition_id=edition.id))
        held = {
            a.person_id: a
            for a in self.hub.list_acknowledgements(subject=course.certificate_subject(edition.id))
            if a.revoked_at is None
        }
        trainees = []
        for p in self.hub.list_trainees(edition.id):
            progress = [self.hub.unit_progress(p.id, u.id) for u in units]
            trainees.append(
                TraineeLine(
                    name=p.display_name,
                    units_complete=tuple(
                        course.is_unit_complete(u, g) for u, g in zip(units, progress, strict=True)
                    ),
                    certificate=self.links.line(held[p.id]) if p.id in held else None,
                    completed_on=tuple(g.completed_at.date() for g in progress if g.completed_at),
                )
            )
        per_unit = tuple(sum(t.units_complete[i] for t in trainees) for i in range(len(units)))
        return EditionDashboard(
            edition,
            units,
            per_unit,
            tuple(trainees),
            by_unit=_by_unit_chart(edition, units, per_unit, len(trainees), words),
            over_time=_over_time_chart(edition, units, trainees, today, words),
        )


def _by_unit_chart(
    edition: Edition,
    units: tuple[Unit, ...],
    per_unit: tuple[int, ...],
    trainees: int,
    words: Wording,
) -> charts.ChartData:
    _ = words._
    return charts.bar_chart(
        f"by-unit-{edition.id}",
        _("%(edition)s: trainees who completed each unit", edition=edition.title),
        [
            charts.Bar(u.title, n, trainees)  # in unit order; titles say "Unit 1: ..."
            for u, n in zip(units, per_unit, strict=True)
        ],
        unit=_("trainees"),
        heading=_("Unit"),
        small_width=charts.NARROW,
        words=words,
    )


def _over_time_chart(
    edition: Edition,
    units: tuple[Unit, ...],
    trainees: list[TraineeLine],
    today: date | None,
    words: Wording,
) -> charts.ChartData:
    _ = words._
    last = min(edition.ends_on, today) if today else edition.ends_on
    mondays = charts.weeks(edition.starts_on, max(last, edition.starts_on))
    # Units with activities only: a reading-only unit is complete without a date.
    possible = len(trainees) * sum(1 for u in units if u.activities)
    totals = charts.cumulative_by_week((d for t in trainees for d in t.completed_on), mondays)
    return charts.line_chart(
        f"over-time-{edition.id}",
        _(
            "%(edition)s: units completed by all trainees, by the week's Monday",
            edition=edition.title,
        ),
        [charts.Point(words.short_date(m), n) for m, n in zip(mondays, totals, strict=True)],
        y_max=possible,
        unit=_("units completed"),
        heading=_("Week of"),
        small_width=charts.NARROW,
        words=words,
    )


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
