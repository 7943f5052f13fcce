"""Pages that don't grow with the class (issue 11 item 2, ADR 0016).

- a TwinSpace of 2,000 members: the page shows counts per role and no member rows, the member
  list 50 rows a page; the SQL statements of a page view (cache cold and warm) and of a member
  page are the same number for 20 members and for 2,000 (counted with a SQLAlchemy listener,
  never timed);
- the member list's ``?page=`` against hostile values, other TwinSpaces and non-members;
- the cached snapshot: a write (new member, new page, suspension, pseudonym, comment, bulk
  statement) shows on the very next page view, on SQLite with the database cache and on
  PostgreSQL with Redis;
- the event and unit pages: counts and 50 participants or trainees a page, the same number of
  statements for 20 or 2,000.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient
from sqlalchemy import event, insert, select, update
from sqlalchemy.engine import Engine

from etwin_lti.domain.model import MaterialKind, MemberStatus, PersonKind, TwinSpaceRole
from etwin_lti.persistence.models.hub import (
    EditionTraineeRow,
    EnrolmentRow,
    LearningEventRow,
    MemberRow,
    PersonRow,
)
from tests.conftest import make_test_app, settle
from tests.integration.pages.conftest import PagesWorld, hidden_fields, submit
from tests.support.databases import PostgresDatabase, Snapshot
from tests.support.launching import Launcher
from tests.support.lti_tokens import ROLE_INSTITUTION_ADMIN, ROLE_INSTRUCTOR, ROLE_LEARNER
from tests.support.redis_dbs import REDIS_CACHE_URL

MEMBER_ROW = re.compile(r"<li data-member=")
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def main(response: Any) -> str:
    """The page's main element without the launch tokens (they carry the time)."""
    page = text(response).split("<main", 1)[1]
    return re.sub(r'name="etwin_launch_token" value="[^"]*"', "", page)


class StatementCounter:
    """Every SQL statement sent on the engine while open (cache reads included on SQLite)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_args: Any) -> None:
        # The memos' token checks (once per memo and second, ADR 0033; the page's membership is
        # memoised, ADR 0036) follow the clock, not the page: not counted.
        values = params.values() if isinstance(params, dict) else params or ()
        if any(isinstance(v, str) and "memo:" in v for v in values):
            return
        self.statements.append(statement)


def bulk_people(world: PagesWorld, count: int, kind: PersonKind, prefix: str) -> list[int]:
    """``count`` people in one executemany, through the hub's unit of work (so the page cache
    hears of it, as it hears of any bulk statement)."""
    with world.app.extensions["etwin"].database.session() as s:
        start = (s.scalar(select(PersonRow.id).order_by(PersonRow.id.desc()).limit(1)) or 0) + 1
        ids = list(range(start, start + count))
        s.execute(
            insert(PersonRow),
            [
                {
                    "id": pid,
                    "display_name": f"{prefix} {n:05d}",
                    "kind": kind.value,
                    "country_code": "FR",
                    "created_at": NOW,
                }
                for n, pid in enumerate(ids)
            ],
        )
    return ids


def bulk_members(world: PagesWorld, twinspace_id: int, count: int) -> None:
    ids = bulk_people(world, count, PersonKind.PUPIL, "Pupil")
    with world.app.extensions["etwin"].database.session() as s:
        s.execute(
            insert(MemberRow),
            [
                {
                    "twinspace_id": twinspace_id,
                    "person_id": pid,
                    "role": TwinSpaceRole.PUPIL.value,
                    "status": MemberStatus.ACTIVE.value,
                    "role_source": "lms",
                    "is_founder": False,
                    "joined_at": NOW,
                    "updated_at": NOW,
                }
                for pid in ids
            ],
        )


def member_count(world: PagesWorld) -> int:
    return len(world.hub.list_members(world.demo.twinspace_id))


def grow_to(world: PagesWorld, total: int) -> None:
    bulk_members(world, world.demo.twinspace_id, total - member_count(world))
    assert member_count(world) == total


def statements(world: PagesWorld, client: FlaskClient, url: str) -> int:
    with StatementCounter(world.app.extensions["etwin"].database.engine) as counter:
        response = client.get(url)
    assert response.status_code == 200, text(response)[:500]
    return len(counter.statements)


def costs(world: PagesWorld, client: FlaskClient) -> tuple[int, int, int]:
    """(page view, cache cold; page view, cache warm; member list page 2)."""
    world.hub.add_page(world.demo.people["founder_fr"], world.demo.twinspace_id, "Cold", "")
    cold = statements(world, client, world.ts_url)
    warm = statements(world, client, world.ts_url)
    listing = statements(world, client, world.ts_url + "/members?page=1")
    return cold, warm, listing


# --- 2,000 members ---------------------------------------------------------------------------


def check_page_of_2000(world: PagesWorld) -> None:
    founder = world.as_founder()
    grow_to(world, 20)
    at_20 = costs(world, founder)
    grow_to(world, 2_000)
    at_2000 = costs(world, founder)
    assert at_2000 == at_20, (at_20, at_2000)  # the same statements, whatever the class size
    assert at_2000[1] < at_2000[0]  # and the warm cache saves the content reads

    page = text(founder.get(world.ts_url))
    pupils = re.search(r'data-role-group="pupil" data-active="(\d+)"', page)
    counts = {
        role: int(n) for role, n in re.findall(r'data-role-group="(\w+)" data-active="(\d+)"', page)
    }
    assert pupils and sum(counts.values()) == 2_000 and counts["pupil"] > 1_980
    assert 'data-member-total="2000"' in page
    assert not MEMBER_ROW.search(page)  # no member rows on the page itself
    assert page.index('id="pages-h"') < page.index('id="members-h"')  # content first (360px)

    listing = text(founder.get(world.ts_url + "/members"))
    assert len(MEMBER_ROW.findall(listing)) == 50
    assert 'data-page="1"' in listing and 'data-last-page="40"' in listing
    last = text(founder.get(world.ts_url + "/members?page=40"))
    assert len(MEMBER_ROW.findall(last)) == 50 and 'rel="next"' not in last
    assert founder.get(world.ts_url + "/members?page=41").status_code == 404
    # The pages together are the member list, once each, in its order.
    seen: list[int] = []
    for n in (1, 2):
        html = text(founder.get(f"{world.ts_url}/members?page={n}"))
        seen += [int(i) for i in re.findall(r'<li data-member="(\d+)"', html)]
    everyone = [m.person_id for m in world.hub.list_members(world.demo.twinspace_id)]
    assert seen == everyone[:100]


def test_a_twinspace_of_2000_members_costs_what_one_of_20_does(world: PagesWorld) -> None:
    check_page_of_2000(world)


@pytest.mark.postgres
def test_a_twinspace_of_2000_members_on_postgresql_and_redis(
    pg_redis_world: PagesWorld,
) -> None:
    check_page_of_2000(pg_redis_world)


# --- the member list's page number and who may see it ------------------------------------------


@pytest.mark.parametrize(
    ("page", "status", "code"),
    [
        ("-1", 422, "invalid_input"),
        ("0", 422, "invalid_input"),
        ("abc", 422, "invalid_input"),
        ("1.5", 422, "invalid_input"),
        ("1e3", 422, "invalid_input"),
        (" 1", 422, "invalid_input"),
        ("01", 422, "invalid_input"),
        ("%00", 422, "invalid_input"),
        ("2", 404, "not_found"),  # the demo's members fit on one page
        (str(10**9), 404, "not_found"),
        ("9" * 400, 404, "not_found"),
    ],
)
def test_hostile_page_numbers_get_a_page_inside_the_frame(
    world: PagesWorld, page: str, status: int, code: str
) -> None:
    response = world.as_founder().get(f"{world.ts_url}/members?page={page}")
    assert response.status_code == status
    assert f'data-error="{code}"' in text(response)
    assert response.mimetype == "text/html"


def test_the_member_list_is_for_members_only(world: PagesWorld) -> None:
    url = world.ts_url + "/members"
    assert world.client().get(url).status_code == 401  # no launch session
    tool_admin = world.launched("new-admin", [ROLE_INSTITUTION_ADMIN], world.ts)
    assert tool_admin.get(world.ts_url).status_code == 200  # public content
    refused = tool_admin.get(url)
    assert refused.status_code == 403 and 'data-error="members_only"' in text(refused)
    assert "Pupil B. (FR)" not in text(refused)
    # A pupil of this TwinSpace asking for another TwinSpace's list: not their resource.
    hub, people = world.hub, world.demo.people
    project = hub.create_project(people["national_founder_1"], people["partner_pl"], "Other")
    hub.validate_project("ES", project.id)
    other = hub.validate_project("PL", project.id).twinspace_id
    response = world.as_pupil().get(f"/embed/twinspace/{other}/members")
    assert response.status_code == 403 and 'data-error="not_your_resource"' in text(response)
    assert world.as_pupil().get("/embed/twinspace/999999/members").status_code == 404
    # A member who was suspended sees neither the list nor anyone's name in it.
    pupil = world.as_pupil()
    hub.suspend_member(people["founder_fr"], world.demo.twinspace_id, people["pupil_b"])
    assert pupil.get(url).status_code == 403
    # Bad page numbers do not get past the access check.
    assert tool_admin.get(url + "?page=abc").status_code == 403


def test_pupils_see_the_list_without_the_manage_forms(world: PagesWorld) -> None:
    listing = text(world.as_pupil().get(world.ts_url + "/members"))
    assert "Pupil B. (FR)" in listing and "@" not in listing.split("<main", 1)[1]
    assert 'data-action="suspend"' not in listing and 'data-action="change-role"' not in listing


def test_manage_forms_on_page_two_come_back_to_page_two(world: PagesWorld) -> None:
    grow_to(world, 120)
    client, ts = world.as_founder(), world.ts_url
    listing = text(client.get(ts + "/members?page=2"))
    target = int(re.findall(r'<li data-member="(\d+)"', listing)[0])
    action = f"{ts}/members/{target}/suspend?page=2"
    assert f'action="{action}"' in listing  # the form carries its page number
    response = submit(client, ts + "/members?page=2", action)
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"{ts}/members?")
    assert "page=2" in response.headers["Location"]
    member = world.hub.get_member(world.demo.twinspace_id, target)
    assert member.status is MemberStatus.SUSPENDED
    again = text(client.get(response.headers["Location"]))
    assert "The member was suspended" in again
    # A hostile page number in the action URL only sends the browser back to page 1.
    back = submit(client, ts + "/members?page=2", f"{ts}/members/{target}/reactivate?page=-7")
    assert back.status_code == 303 and "page=1" in back.headers["Location"]
    # A bad pseudonym is shown again on the member list's same page, beside the member (422).
    pupil_b = world.demo.people["pupil_b"]
    where = next(
        n
        for n in (1, 2, 3)
        if f'data-member="{pupil_b}"' in text(client.get(f"{ts}/members?page={n}"))
    )
    form = f"{ts}/members/{pupil_b}/pseudonym?page={where}"
    refused = submit(client, f"{ts}/members?page={where}", form, display_name="")
    html = text(refused)
    assert refused.status_code == 422 and "embedded twinspace-members" in html
    beside = re.search(rf'<li data-member="{pupil_b}".*?</li>', html, re.S)
    assert beside and 'data-field="display_name"' in beside.group(0)
    assert "data-refused-form=" not in html
    # From a stale page (the member is not on it), the errors show at the top instead.
    stale = f"{ts}/members/{pupil_b}/pseudonym?page={where % 3 + 1}"
    html = text(submit(client, f"{ts}/members?page={where % 3 + 1}", stale, display_name=""))
    assert 'data-refused-form="pseudonym"' in html and 'data-field="display_name"' in html


def test_manage_without_the_cookie_answers_the_member_list_itself(world: PagesWorld) -> None:
    client, ts = world.as_founder(), world.ts_url
    fields = hidden_fields(text(client.get(ts + "/members")))
    partner = world.demo.people["partner_pl"]
    response = world.client().post(f"{ts}/members/{partner}/suspend?page=1", data=fields)
    assert response.status_code == 200
    assert "The member was suspended" in text(response) and "Members of" in text(response)


# --- the cached snapshot: every write shows on the very next page view -------------------------


def check_writes_show_at_once(world: PagesWorld) -> None:
    founder, hub, people = world.as_founder(), world.hub, world.demo.people
    ts = world.demo.twinspace_id

    def page() -> str:
        return main(founder.get(world.ts_url))

    def pupils() -> int:
        found = re.search(r'data-role-group="pupil" data-active="(\d+)"', page())
        return int(found.group(1)) if found else 0

    first = page()
    assert page() == first  # served from the cache the second time

    before = pupils()
    kid = hub.create_person("Newcomer", PersonKind.PUPIL, country_code="FR")
    hub.sync_member(ts, kid.id, TwinSpaceRole.PUPIL)  # a launch provisions a new member
    assert pupils() == before + 1

    hub.add_page(people["founder_fr"], ts, "Fresh page", "Written just now")
    assert "Fresh page" in page()

    hub.suspend_member(people["founder_fr"], ts, kid.id)
    assert pupils() == before and 'data-suspended="1"' in page()

    drawing = "https://example.org/drawing.png"  # by a pupil: the author's name comes along
    hub.add_material(people["pupil_b"], ts, "A drawing", MaterialKind.PHOTO, drawing)
    assert "A drawing" in page()
    hub.rename_person(people["founder_fr"], people["pupil_b"], "Renamed pupil")
    assert "Renamed pupil" in page()

    post = hub.list_diary(world.demo.project_id)[0]
    hub.comment_diary(people["partner_pl"], post.id, "A comment just now")
    assert "A comment just now" in page()

    thread = hub.list_threads(ts)[0]
    hub.reply_thread(people["partner_pl"], thread.id, "A reply just now")
    assert "A reply just now" in page()

    # A bulk statement (as person merge and erasure make) names no rows: it renews everything.
    with world.app.extensions["etwin"].database.session() as s:
        s.execute(
            update(PersonRow)
            .where(PersonRow.id == people["partner_pl"])
            .values(display_name="Bulk renamed")
        )
    assert "Bulk renamed" in page()

    # The project's partners decide who posts to the Diary: a project row renews the page.
    teacher = hub.create_person("Late partner", PersonKind.TEACHER, country_code="ES")
    hub.add_partner(people["founder_fr"], world.demo.project_id, teacher.id)
    assert "Late partner" not in first and "Late partner" not in page()  # not an author
    hub.post_diary(teacher.id, world.demo.project_id, "Late post", "Hello from Spain")
    assert "Late post" in page() and "Late partner" in page()


def test_a_write_shows_on_the_next_view_sqlite_and_database_cache(world: PagesWorld) -> None:
    check_writes_show_at_once(world)


@pytest.mark.postgres
def test_a_write_shows_on_the_next_view_postgresql_and_redis(pg_redis_world: PagesWorld) -> None:
    check_writes_show_at_once(pg_redis_world)


def test_a_rolled_back_write_renews_nothing_and_shows_nothing(world: PagesWorld) -> None:
    founder, ts = world.as_founder(), world.demo.twinspace_id
    page = main(founder.get(world.ts_url))
    warm = statements(world, founder, world.ts_url)
    with pytest.raises(RuntimeError), world.app.extensions["etwin"].database.session() as s:
        s.execute(
            update(PersonRow)
            .where(PersonRow.id == world.demo.people["pupil_b"])
            .values(display_name="Never committed")
        )
        raise RuntimeError("the unit of work fails")
    assert statements(world, founder, world.ts_url) == warm  # still the cached snapshot
    assert main(founder.get(world.ts_url)) == page
    assert "Never committed" not in text(founder.get(f"/embed/twinspace/{ts}/members"))


# --- event and unit pages ------------------------------------------------------------------------


def bulk_participants(world: PagesWorld, count: int) -> None:
    ids = bulk_people(world, count, PersonKind.TEACHER, "Teacher")
    event_id = world.demo.event_id
    with world.app.extensions["etwin"].database.session() as s:
        s.execute(
            insert(EnrolmentRow),
            [{"event_id": event_id, "person_id": pid, "enrolled_at": NOW} for pid in ids],
        )
        s.execute(
            update(LearningEventRow)
            .where(LearningEventRow.id == event_id)
            .values(
                enrolled=LearningEventRow.enrolled + count,
                capacity=LearningEventRow.capacity + count,
            )
        )


def bulk_trainees(world: PagesWorld, count: int) -> None:
    ids = bulk_people(world, count, PersonKind.TEACHER, "Trainee")
    with world.app.extensions["etwin"].database.session() as s:
        s.execute(
            insert(EditionTraineeRow),
            [
                {"edition_id": world.demo.edition_id, "person_id": p, "enrolled_at": NOW}
                for p in ids
            ],
        )


def test_event_page_counts_and_pages_its_participants(world: PagesWorld) -> None:
    url, resource = f"/embed/event/{world.demo.event_id}", f"event:{world.demo.event_id}"
    expert = world.launched("expert", [ROLE_INSTRUCTOR], resource)
    total = len(world.hub.list_enrolments(world.demo.event_id))
    bulk_participants(world, 20 - total)
    at_20 = statements(world, expert, url)
    bulk_participants(world, 1_980)
    at_2000 = statements(world, expert, url)
    assert at_2000 == at_20
    page = text(expert.get(url))
    assert 'data-participant-total="2000"' in page
    assert len(re.findall(r"<tr data-participant=", page)) == 50
    last = text(expert.get(url + "?page=40"))
    assert len(re.findall(r"<tr data-participant=", last)) == 50 and 'rel="prev"' in last
    for bad, status in (("0", 422), ("-1", 422), ("abc", 422), ("41", 404), ("9" * 30, 404)):
        response = expert.get(f"{url}?page={bad}")
        assert response.status_code == status, bad
        assert "data-error=" in text(response)
    # A participant sees no list, and no pages of it.
    participant = world.launched("founder-fr", [ROLE_LEARNER], resource)
    assert "data-participant=" not in text(participant.get(url))
    assert participant.get(url + "?page=2").status_code == 404
    # The expert marks one on page 2 complete and comes back to page 2.
    html = text(expert.get(url + "?page=2"))
    target = int(re.findall(r'<tr data-participant="(\d+)"', html)[0])
    done = submit(expert, url + "?page=2", f"{url}/participants/{target}/complete?page=2")
    assert done.status_code == 303 and "page=2" in done.headers["Location"]
    assert world.hub.get_enrolment(world.demo.event_id, target).completed_at is not None


def test_unit_page_counts_and_pages_its_trainees(world: PagesWorld) -> None:
    unit_id = world.demo.unit_id
    url, resource = f"/embed/unit/{unit_id}", f"unit:{unit_id}"
    trainer = world.launched("trainer", [ROLE_INSTRUCTOR], resource)
    total = len(world.hub.list_trainees(world.demo.edition_id))
    bulk_trainees(world, 20 - total)
    at_20 = statements(world, trainer, url)
    bulk_trainees(world, 1_980)
    at_2000 = statements(world, trainer, url)
    assert at_2000 == at_20
    page = text(trainer.get(url))
    assert 'data-trainee-total="2000"' in page
    assert len(re.findall(r"<tr data-trainee=", page)) == 50
    assert 'data-trainee="Camille Martin"' in page  # the demo's trainees sort first
    for bad, status in (("0", 422), ("x", 422), ("41", 404), ("1" * 12, 404)):
        assert trainer.get(f"{url}?page={bad}").status_code == status, bad
    trainee = world.launched("founder-fr", [ROLE_LEARNER], resource)
    assert "data-trainee=" not in text(trainee.get(url))
    assert trainee.get(url + "?page=2").status_code == 404


# --- PostgreSQL with Redis: the production setup -----------------------------------------------


@pytest.fixture
def pg_redis_world(
    _postgres: PostgresDatabase,
    _pages_postgres: tuple[Snapshot, Any],
    tmp_path: Path,
    launcher: Launcher,
) -> Iterator[PagesWorld]:
    redis.Redis.from_url(REDIS_CACHE_URL).flushdb()
    snapshot, demo = _pages_postgres
    app = make_test_app(_postgres.restore(snapshot), tmp_path, REDIS_URL=REDIS_CACHE_URL)
    w = PagesWorld(app, demo, launcher)
    yield w
    settle(w.app)


def test_an_erasure_shows_on_the_next_view(world: PagesWorld) -> None:
    """Erasure rewrites a person and their memberships with bulk statements: the page's cache is
    renewed all the same, and the erased pupil's name is gone from the very next view."""
    pupil, ts = world.demo.people["pupil_b"], world.demo.twinspace_id
    post = world.hub.list_diary(world.demo.project_id)[0]
    world.hub.comment_diary(pupil, post.id, "A comment before the erasure")
    founder = world.as_founder()
    name = world.hub.get_person(pupil).display_name
    assert name in main(founder.get(world.ts_url))  # beside the comment
    world.app.extensions["etwin"].privacy.erase(pupil, now=NOW)
    page = main(founder.get(world.ts_url))
    assert name not in page and "A comment before the erasure" in page
    assert name not in main(founder.get(f"/embed/twinspace/{ts}/members"))
