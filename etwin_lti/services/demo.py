"""Demo data: one of everything a newcomer needs to try every flow in the sandbox LMS.

``load_demo(hub)`` works through ``HubPort`` only (so it fills a remote hub just as well) and is
idempotent: every resource is looked up by its title first and only made when missing, so a
second run creates nothing. Running it on another day keeps the existing resources; a new course
edition appears only in a new year, and a new Learning Event only once the demo one has ended.

What it makes (people are fictional; pupils carry pseudonyms, never e-mail addresses):
- "Our Rivers, Our Future": an approved European project (founders FR and IT, partner PL) with
  its TwinSpace, four pupils, a public and a private page, materials, Project Diary posts with
  comments and a forum thread with replies;
- "School Gardens": a national project (two Spanish founders) still waiting for its NSO;
- "Creative Classrooms with eTwinning": a Learning Event led by an expert, running now, with a
  teacher enrolled;
- "eTwinning distance training course <year>": the current edition, two trainers, four units
  with documents and activities, two trainees, one of whom has finished unit 1.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from etwin_lti.domain.model import (
    EventStatus,
    LearningEvent,
    MaterialKind,
    Person,
    PersonKind,
    PrizeCategory,
    Project,
    ProjectStatus,
    TwinSpaceRole,
    Unit,
    Visibility,
)
from etwin_lti.domain.ports import HubPort

PROJECT_TITLE = "Our Rivers, Our Future"
NATIONAL_TITLE = "School Gardens"
EVENT_TITLE = "Creative Classrooms with eTwinning"
EVENT_DAYS_BEFORE_TODAY = 2
EVENT_DAYS = 14
EDITION_DAYS = (30, 90)  # started a month ago, ends in three months


def edition_title(year: int) -> str:
    return f"eTwinning distance training course {year}"


@dataclass(frozen=True)
class DemoResources:
    """Ids a sandbox LMS needs to launch the demo. ``people`` keys: founder_fr, founder_it,
    partner_pl, pupil_a, pupil_b, pupil_c, pupil_d, national_founder_1, national_founder_2,
    expert, trainer_1, trainer_2."""

    project_id: int
    twinspace_id: int
    national_project_id: int
    event_id: int
    edition_id: int
    unit_id: int  # the first unit of the edition
    unit_ids: tuple[int, ...]
    people: Mapping[str, int]
    created: tuple[str, ...] = field(default=())  # what this run made, in words

    @property
    def teacher_id(self) -> int:
        return self.people["founder_fr"]


# (key, pseudonym, country, TwinSpace role, invited by)
PUPILS = (
    ("pupil_a", "Pupil A. (FR)", "FR", TwinSpaceRole.PUPIL_ADMINISTRATOR, "founder_fr"),
    ("pupil_b", "Pupil B. (FR)", "FR", TwinSpaceRole.PUPIL, "founder_fr"),
    ("pupil_c", "Pupil C. (IT)", "IT", TwinSpaceRole.PUPIL, "founder_it"),
    ("pupil_d", "Pupil D. (PL)", "PL", TwinSpaceRole.PUPIL, "founder_fr"),
)

UNITS = (
    (
        "Unit 1: What is eTwinning?",
        "The programme, its support services and what a project looks like.",
        (
            (
                "eTwinning on the European School Education Platform",
                "https://school-education.ec.europa.eu/en/etwinning",
            ),
            (
                "What is eTwinning? (course text)",
                "https://school-education.ec.europa.eu/en/etwinning/projects",
            ),
        ),
        (
            ("Introduce yourself", "Post a short presentation in the course forum."),
            ("Explore the platform", "Find three projects in your subject and note what you like."),
            ("Your expectations", "Write two things you want to achieve with eTwinning."),
        ),
    ),
    (
        "Unit 2: Finding partners and planning a project",
        "Partner search, the two founders, and a shared plan.",
        (
            (
                "Finding a project partner",
                "https://school-education.ec.europa.eu/en/etwinning/partner-finding",
            ),
        ),
        (
            ("Draft a project idea", "Title, age group, subjects, a one-paragraph plan."),
            ("Contact a partner", "Send a message to a teacher in another country."),
        ),
    ),
    (
        "Unit 3: Working in the TwinSpace",
        "Roles, pages, materials, the forum and the Project Diary; pupils' safety.",
        (
            (
                "TwinSpaces and groups",
                "https://school-education.ec.europa.eu/en/etwinning/support/twinspaces-and-groups",
            ),
        ),
        (
            ("Plan your TwinSpace", "Which pages, which roles, what stays private."),
            ("Invite a colleague", "Add a teacher of your school as a member."),
            ("Write a Diary post", "Tell your partners about your first week."),
        ),
    ),
    (
        "Unit 4: Quality and recognition",
        "The eTwinning label, the National and European Quality Labels and the Prizes.",
        (
            (
                "European Quality Label",
                "https://school-education.ec.europa.eu/en/european-quality-label",
            ),
        ),
        (
            ("Check the criteria", "Score an example project against the five NQL criteria."),
            ("Collect evidence", "List what in your TwinSpace shows pupils' collaboration."),
        ),
    ),
)


class _Demo:
    """One run: looks things up, makes what is missing, remembers what it made."""

    def __init__(self, hub: HubPort, today: date) -> None:
        self.hub = hub
        self.today = today
        self.people: dict[str, int] = {}
        self.created: list[str] = []

    def made(self, what: str) -> None:
        self.created.append(what)

    def person(
        self,
        key: str,
        name: str,
        kind: PersonKind,
        country: str | None,
        *,
        school: str | None = None,
    ) -> Person:
        person = self.hub.create_person(name, kind, country_code=country, school=school)
        self.people[key] = person.id
        self.made(f"person {name}")
        return person

    # --- the European project and its TwinSpace ---------------------------------------------------

    def european_project(self) -> tuple[Project, int]:
        project = _by_title(self.hub.list_projects(), PROJECT_TITLE)
        if project is None:
            fr = self.person(
                "founder_fr",
                "Camille Martin",
                PersonKind.TEACHER,
                "FR",
                school="École Jules Ferry, Lyon",
            )
            it = self.person(
                "founder_it",
                "Giulia Rossi",
                PersonKind.TEACHER,
                "IT",
                school="Scuola primaria Dante Alighieri, Bologna",
            )
            project = self.hub.create_project(
                fr.id,
                it.id,
                PROJECT_TITLE,
                "Pupils aged 8 to 11 in three countries study the river of their town: "
                "animals, water quality, stories and songs.",
                age_band=PrizeCategory.AGE_7_11,
            )
            self.made(f"project {PROJECT_TITLE}")
        self.people["founder_fr"], self.people["founder_it"] = project.founder_ids
        for code in dict.fromkeys(project.founder_countries):
            if project.status is ProjectStatus.PENDING and code not in project.validated_by:
                project = self.hub.validate_project(code, project.id)
                self.made(f"validation by the {code} NSO")
        if not project.partner_ids:
            pl = self.person(
                "partner_pl",
                "Tomasz Nowak",
                PersonKind.TEACHER,
                "PL",
                school="Szkoła Podstawowa nr 5, Kraków",
            )
            project = self.hub.add_partner(self.people["founder_fr"], project.id, pl.id)
            self.made("partner Tomasz Nowak")
        self.people["partner_pl"] = project.partner_ids[0]
        assert project.twinspace_id is not None
        return project, project.twinspace_id

    def pupils(self, twinspace_id: int) -> None:
        members = {m.display_name: m.person_id for m in self.hub.list_members(twinspace_id)}
        for key, name, country, role, inviter in PUPILS:
            if name in members:
                self.people[key] = members[name]
                continue
            pupil = self.person(key, name, PersonKind.PUPIL, country)
            self.hub.add_member(self.people[inviter], twinspace_id, pupil.id, role)

    def content(self, project: Project, twinspace_id: int) -> None:
        hub, p = self.hub, self.people
        pages = {x.title for x in hub.list_pages(twinspace_id, viewer_id=p["founder_fr"])}
        if "About our project" not in pages:
            hub.add_page(
                p["founder_fr"],
                twinspace_id,
                "About our project",
                "Three schools, three rivers: the Rhône, the Reno and the Vistula.",
                visibility=Visibility.PUBLIC,
            )
            self.made("public page About our project")
        if "Week 1: Meet the rivers" not in pages:
            hub.add_page(
                p["founder_it"],
                twinspace_id,
                "Week 1: Meet the rivers",
                "Each class photographs its river and writes three sentences about it.",
            )
            self.made("private page Week 1: Meet the rivers")
        materials = {x.title for x in hub.list_materials(twinspace_id, viewer_id=p["founder_fr"])}
        for actor, title, kind, url, visibility in (
            (
                "founder_fr",
                "Map of our three rivers",
                MaterialKind.LINK,
                "https://www.openstreetmap.org/#map=5/48.0/11.0",
                Visibility.PUBLIC,
            ),
            (
                "pupil_a",
                "Our drawing of the Rhône",
                MaterialKind.PHOTO,
                "https://example.org/demo/rhone-drawing.png",
                None,
            ),
            (
                "partner_pl",
                "River song (recording)",
                MaterialKind.SOUND,
                "https://example.org/demo/vistula-song.mp3",
                None,
            ),
        ):
            if title not in materials:
                hub.add_material(p[actor], twinspace_id, title, kind, url, visibility=visibility)
                self.made(f"material {title}")
        self.diary(project)
        self.forum(twinspace_id)

    def diary(self, project: Project) -> None:
        hub, p = self.hub, self.people
        # As a teacher administrator: a post someone hid is still there (not made again).
        diary = hub.list_diary(project.id, viewer_id=p["founder_fr"])
        posts = {post.title: post for post in diary}
        for author, title, body, comments in (
            (
                "founder_fr",
                "Kick-off: we met online",
                "Our classes met in a video call and chose the river as our theme.",
                (
                    ("founder_it", "A great start, my pupils loved it!"),
                    ("pupil_c", "I liked the French song."),
                ),
            ),
            (
                "partner_pl",
                "Water samples collected",
                "We measured the temperature of the Vistula at three places.",
                (("founder_fr", "We will do the same next week."),),
            ),
        ):
            post = posts.get(title)
            if post is None:
                post = hub.post_diary(p[author], project.id, title, body)
                self.made(f"Diary post {title}")
            said = {c.body for c in post.comments}
            for commenter, text in comments:
                if text not in said:
                    hub.comment_diary(p[commenter], post.id, text)
                    self.made("Diary comment")

    def forum(self, twinspace_id: int) -> None:
        hub, p = self.hub, self.people
        title = "Which animals live near your river?"
        threads = hub.list_threads(twinspace_id, viewer_id=p["founder_fr"])
        thread = next((t for t in threads if t.title == title), None)
        if thread is None:
            thread = hub.create_thread(
                p["pupil_a"], twinspace_id, title, "We saw a heron and many ducks!"
            )
            self.made(f"forum thread {title}")
        said = {post.body for post in thread.posts}
        for author, text in (
            ("pupil_c", "We have kingfishers on the Reno."),
            ("pupil_d", "Beavers live near our school!"),
            ("partner_pl", "Great observations, let us make a shared poster."),
        ):
            if text not in said:
                hub.reply_thread(p[author], thread.id, text)
                self.made("forum reply")

    # --- the rest ---------------------------------------------------------------------------------

    def national_project(self) -> Project:
        project = _by_title(self.hub.list_projects(), NATIONAL_TITLE)
        if project is None:
            a = self.person(
                "national_founder_1",
                "Lucía García",
                PersonKind.TEACHER,
                "ES",
                school="CEIP Miguel Hernández, Valencia",
            )
            b = self.person(
                "national_founder_2",
                "Javier Martín",
                PersonKind.TEACHER,
                "ES",
                school="CEIP Antonio Machado, Sevilla",
            )
            project = self.hub.create_project(
                a.id, b.id, NATIONAL_TITLE, "Two Spanish schools grow vegetables together."
            )
            self.made(f"national project {NATIONAL_TITLE} (pending)")
        self.people["national_founder_1"], self.people["national_founder_2"] = project.founder_ids
        return project

    def event(self) -> LearningEvent:
        same = [e for e in self.hub.list_events() if e.title == EVENT_TITLE]
        live = [e for e in same if e.status is not EventStatus.FINISHED]
        if live:
            event = live[-1]
            self.people["expert"] = event.expert_id
        else:
            if same:
                self.people["expert"] = same[-1].expert_id
            else:
                self.person("expert", "Dr. Anna Schmidt", PersonKind.EXPERT, "DE")
            starts = self.today - timedelta(days=EVENT_DAYS_BEFORE_TODAY)
            event = self.hub.create_event(
                EVENT_TITLE,
                "Two weeks of short activities on creativity and collaboration in class, "
                "led by an expert.",
                self.people["expert"],
                starts,
                starts + timedelta(days=EVENT_DAYS - 1),
                30,
            )
            self.made(f"Learning Event {EVENT_TITLE}")
        enrolled = {e.person_id for e in self.hub.list_enrolments(event.id)}
        if self.people["founder_fr"] not in enrolled:
            self.hub.enrol(event.id, self.people["founder_fr"])
            self.made("enrolment of Camille Martin")
        return event

    def edition(self) -> tuple[int, list[Unit]]:
        title = edition_title(self.today.year)
        edition = next((e for e in self.hub.list_editions() if e.title == title), None)
        if edition is None:
            t1 = self.person("trainer_1", "Elena Fernández", PersonKind.TRAINER, "ES")
            t2 = self.person("trainer_2", "Marta López", PersonKind.TRAINER, "ES")
            edition = self.hub.create_edition(
                title,
                self.today.year,
                self.today - timedelta(days=EDITION_DAYS[0]),
                self.today + timedelta(days=EDITION_DAYS[1]),
                trainer_ids=[t1.id, t2.id],
            )
            self.made(f"course edition {title}")
        self.people["trainer_1"], self.people["trainer_2"] = edition.trainer_ids[:2]
        existing = {u.title: u for u in self.hub.list_units(edition_id=edition.id)}
        units = []
        for unit_title, summary, documents, activities in UNITS:
            unit = existing.get(unit_title)
            if unit is None:
                unit = self.hub.add_unit(
                    edition.id, unit_title, summary, documents=documents, activities=activities
                )
                self.made(f"unit {unit_title}")
            units.append(unit)
        for key in ("founder_fr", "founder_it"):
            self.hub.enrol_trainee(edition.id, self.people[key])  # idempotent
        for activity in units[0].activities:
            self.hub.mark_activity_done(self.people["founder_fr"], activity.id)  # idempotent
        return edition.id, units


def _by_title(projects: list[Project], title: str) -> Project | None:
    return next((p for p in projects if p.title == title), None)


def load_demo(hub: HubPort, *, today: date | None = None) -> DemoResources:
    """Create the demo resources that are missing; return the ids of all of them."""
    demo = _Demo(hub, today or date.today())
    project, twinspace_id = demo.european_project()
    demo.pupils(twinspace_id)
    demo.content(project, twinspace_id)
    national = demo.national_project()
    event = demo.event()
    edition_id, units = demo.edition()
    return DemoResources(
        project_id=project.id,
        twinspace_id=twinspace_id,
        national_project_id=national.id,
        event_id=event.id,
        edition_id=edition_id,
        unit_id=units[0].id,
        unit_ids=tuple(u.id for u in units),
        people=dict(demo.people),
        created=tuple(demo.created),
    )
