"""Bound resources end to end (issue 9 item 4): the tool and the sandbox LMS peer over HTTP.

A resource link opens only what the picker chose for that course: the tool-signed reference
(custom ``etwin_ref`` and the activity URL) binds the activity on its first launch; later
launches use the binding. Every refused launch is a clear page naming who can fix it, and
creates nothing: no person, identity, membership, session, resource link or launcher row.

No row for an *expired* reference: references have no lifetime on purpose. They sit in LMS
activities for years and come back from course backups; what limits one is where it may be
used (this platform, deployment and course, bound on first launch), which the rows below test.
"""

from __future__ import annotations

import base64
import html
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import func, select, text

from etwin_lti.cli import CliState, main
from etwin_lti.domain.audiences import Audience
from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.model import PersonKind, TwinSpaceRole
from etwin_lti.persistence.models.bindings import LinkLauncherRow, ResourceBindingRow
from etwin_lti.persistence.models.lti import LaunchSessionRow, LtiIdentityRow
from etwin_lti.persistence.models.resource_links import ResourceLinkRow
from etwin_lti.sandbox import SandboxResource, SandboxUser
from etwin_lti.sandbox.model import INSTRUCTOR, SandboxContext
from moodle_bridge.cc_export import BLTI_NS
from tests.conftest import make_test_app
from tests.e2e.harness import Resources, seed_resources
from tests.e2e.peer import RunningPeer, ThreadedServer, launch_through, serve_peer, submit_autopost
from tests.support.demo_tool import serving_demo_tool
from tests.support.lti_tokens import tool_reference

pytestmark = pytest.mark.e2e

COURSE, COPY, COPY_2 = "course-7b", "course-copy", "course-copy-2"
CONTEXTS = (
    SandboxContext(COURSE, "eTwinning class 7B", "7B"),
    SandboxContext(COPY, "7B (copy for next year)", "7B-copy"),
    SandboxContext(COPY_2, "7B (second copy)", "7B-copy-2"),
)
ADA, PIET, CARL = "2", "3", "8"  # Ada: LMS teacher linked to the founder; Piet: a pupil


@dataclass
class Bound:
    tool_url: str
    app: Any
    peer: RunningPeer
    resources: Resources
    founder_id: int

    @property
    def container(self) -> Any:
        return self.app.extensions["etwin"]

    def reference(self, resource: str, **change: Any) -> str:
        place = {
            "issuer": self.peer.issuer,
            "deployment_id": self.peer.deployment_id,
            "context_id": COURSE,
        }
        place.update(change)
        return tool_reference(resource, **place)

    @property
    def twinspace(self) -> str:
        return f"twinspace:{self.resources.twinspace_id}"

    def place(
        self,
        link_id: str,
        *,
        context: str = COURSE,
        custom: dict[str, str] | None = None,
        reference: str | None = None,
        in_url: bool = True,
    ) -> SandboxResource:
        """An activity as the LMS keeps it: its custom parameters and its launch URL."""
        values = dict(custom or {})
        url = None
        if reference is not None:
            values.setdefault("etwin_ref", reference)
            if in_url:
                url = f"{self.tool_url}/lti/launch?etwin_ref={reference}"
        return self.peer.platform.add_resource(
            SandboxResource(link_id, link_id, context, custom=values, url=url)
        )

    def launch(self, browser: requests.Session, user: str, link_id: str) -> requests.Response:
        return launch_through(browser, self.peer.launch_url(user=user, resource=link_id))

    def counts(self) -> dict[str, int]:
        with self.container.database.engine.connect() as connection:

            def count(model: Any, *where: Any) -> int:
                query = select(func.count()).select_from(model)
                return int(connection.execute(query.where(*where)).scalar_one())

            people = int(connection.execute(text("SELECT count(*) FROM people")).scalar_one())
            counts = {
                "people": people,
                "identities": count(LtiIdentityRow),
                "sessions": count(LaunchSessionRow),
                "links": count(ResourceLinkRow),
                "launchers": count(LinkLauncherRow),
                "bound": count(ResourceBindingRow, ResourceBindingRow.status == "bound"),
                "pending": count(ResourceBindingRow, ResourceBindingRow.status == "pending"),
            }
        counts["members"] = len(self.container.hub.list_members(self.resources.twinspace_id))
        return counts


@pytest.fixture
def bound(database_url: str, tmp_path: Path) -> Iterator[Bound]:
    with ThreadedServer("127.0.0.1") as tool:
        app = make_test_app(database_url, tmp_path, BASE_URL=tool.base_url)
        container = app.extensions["etwin"]
        resources = seed_resources(container.hub)
        founder = next(
            m
            for m in container.hub.list_members(resources.twinspace_id)
            if m.role is TwinSpaceRole.TEACHER_ADMINISTRATOR
        )
        tool.start(app)
        try:
            with serve_peer(tool.base_url, contexts=CONTEXTS) as peer:
                peer.register_with(container.registrations)
                peer.platform.add_user(SandboxUser(CARL, "Carl Copier", (INSTRUCTOR,)))
                container.identities.link(
                    LtiIdentity(peer.issuer, ADA),
                    founder.person_id,
                    deployment_id=peer.deployment_id,
                    kind=PersonKind.TEACHER,
                )
                yield Bound(tool.base_url, app, peer, resources, founder.person_id)
        finally:
            container.database.dispose()


def _edited(token: str, resource: str) -> str:
    """The reference with another resource inside and its original signature."""
    payload, _, signature = token.rpartition(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["r"] = resource
    raw = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + signature


def _flip_last(token: str) -> str:
    """Change the signature's last full character. Its very last base64url character carries
    unused bits: changing it can leave the decoded signature as it was (a valid token)."""
    i = len(token) - 2
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


Setup = Callable[[Bound], tuple[str, str]]  # -> (LMS user, resource link id) to launch


def forged_signature(b: Bound) -> tuple[str, str]:
    b.place("forged", reference=_flip_last(b.reference(b.twinspace)))
    return ADA, "forged"


def edited_resource(b: Bound) -> tuple[str, str]:
    other = f"twinspace:{b.resources.twinspace_id + 1}"
    b.place("edited", reference=_edited(b.reference(other), b.twinspace))
    return CARL, "edited"


def other_platform(b: Bound) -> tuple[str, str]:
    b.place("foreign", reference=b.reference(b.twinspace, issuer="https://other-lms.example"))
    return ADA, "foreign"


def other_deployment(b: Bound) -> tuple[str, str]:
    b.place("other-dep", reference=b.reference(b.twinspace, deployment_id="another-tool"))
    return ADA, "other-dep"


def typed_by_hand(b: Bound) -> tuple[str, str]:
    b.place("typed", custom={"etwin_resource": b.twinspace})
    return CARL, "typed"


def pupil_first_typed(b: Bound) -> tuple[str, str]:
    b.place("pupil-typed", custom={"etwin_resource": b.twinspace})
    return PIET, "pupil-typed"


def pupil_first_copied(b: Bound) -> tuple[str, str]:
    b.place("pupil-copy", context=COPY, reference=b.reference(b.twinspace))
    return PIET, "pupil-copy"


def replayed_other_resource(b: Bound) -> tuple[str, str]:
    b.place("replayed", reference=b.reference(b.twinspace))
    with requests.Session() as browser:
        assert b.launch(browser, ADA, "replayed").status_code == 200  # bound to the TwinSpace
    event = f"event:{b.resources.event_id}"
    b.place("replayed", custom={"etwin_resource": event}, reference=b.reference(event))
    return ADA, "replayed"


def missing_resource(b: Bound) -> tuple[str, str]:
    b.place("gone", reference=b.reference("twinspace:999"))
    return ADA, "gone"


def copied_course(b: Bound) -> tuple[str, str]:
    b.place("copy", context=COPY, reference=b.reference(b.twinspace))
    return CARL, "copy"


# (row, setup, status, error code, who can fix it, pending requests recorded)
ROWS: list[tuple[str, Setup, int, str, str, int]] = [
    ("forged signature", forged_signature, 403, "forged_reference", "eTwinning picker", 0),
    ("resource edited inside", edited_resource, 403, "forged_reference", "eTwinning picker", 0),
    ("reference of another platform", other_platform, 403, "foreign_reference", "picker", 0),
    ("reference of another deployment", other_deployment, 403, "foreign_reference", "picker", 0),
    ("etwin_resource typed by hand", typed_by_hand, 403, "unbound_resource", "picker", 0),
    ("a pupil first, typed by hand", pupil_first_typed, 403, "unbound_resource", "picker", 0),
    ("a pupil first, copied course", pupil_first_copied, 403, "approval_pending", "teacher", 0),
    (
        "bound link, replayed other reference",
        replayed_other_resource,
        403,
        "resource_mismatch",
        "etwin_resource",
        0,
    ),
    ("reference to no resource", missing_resource, 404, "not_found", "", 0),
    ("reference of another course", copied_course, 403, "approval_pending", "Anna Founder", 1),
]


@pytest.mark.parametrize(
    ("setup", "status", "code", "who", "pending"),
    [pytest.param(*row[1:], id=row[0]) for row in ROWS],
)
def test_a_launch_that_is_not_bound_to_the_course_is_refused_and_creates_nothing(
    bound: Bound, setup: Setup, status: int, code: str, who: str, pending: int
) -> None:
    user, link_id = setup(bound)
    before = bound.counts()
    with requests.Session() as browser:
        answer = bound.launch(browser, user, link_id)
    assert answer.status_code == status, answer.text[:800]
    assert f'data-error="{code}"' in answer.text
    assert who in html.unescape(answer.text)
    assert "etwin_launch" not in answer.cookies
    assert bound.counts() == {**before, "pending": before["pending"] + pending}


def test_the_picker_choice_binds_on_first_launch_even_where_custom_is_dropped(
    bound: Bound,
) -> None:
    with requests.Session() as browser:
        launched = launch_through(browser, bound.peer.launch_url(user=ADA, message="deeplink"))
        assert launched.headers["Location"] == "/lti/deep-link"
        picker = browser.get(bound.tool_url + "/lti/deep-link", timeout=10)
        fields = dict(
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', picker.text)
        )
        fields = {k: html.unescape(v) for k, v in fields.items() if k != "action"}
        answer = browser.post(
            bound.tool_url + "/lti/deep-link",
            data={**fields, "action": "embed", "item": [bound.twinspace]},
            timeout=10,
        )
        assert submit_autopost(browser, answer).status_code == 200
    (item,) = bound.peer.platform.deep_link_returns[-1].items
    # As Moodle's Common Cartridge import keeps it: the URL, no custom parameters.
    bound.peer.platform.add_resource(
        SandboxResource("imported", "Imported", COURSE, custom={}, url=item["url"])
    )
    with requests.Session() as browser:
        first = bound.launch(browser, PIET, "imported")  # a pupil may be the first launcher
    assert first.status_code == 200, first.text[:800]
    assert first.headers["Content-Location"] == f"/embed/twinspace/{bound.resources.twinspace_id}"
    with bound.container.database.engine.connect() as connection:
        row = connection.execute(select(ResourceBindingRow)).one()
    assert (row.resource, row.status, row.chosen_by) == (bound.twinspace, "bound", bound.founder_id)
    assert row.context_id == COURSE and row.resource_link_id == "imported"
    # Editing the activity afterwards cannot move it to another resource.
    event = f"event:{bound.resources.event_id}"
    bound.peer.platform.add_resource(
        SandboxResource(
            "imported", "Imported", COURSE, custom={"etwin_resource": event}, url=item["url"]
        )
    )
    with requests.Session() as browser:
        edited = bound.launch(browser, PIET, "imported")
    assert edited.status_code == 403
    assert 'data-error="resource_mismatch"' in edited.text


def _connections(bound: Bound, browser: requests.Session) -> tuple[str, dict[str, str]]:
    page = browser.get(bound.tool_url + "/embed/connections", timeout=10)
    assert page.status_code == 200, page.text[:800]
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text
        )
    }
    return page.text, fields


def test_a_copied_course_waits_for_the_teacher_administrator_then_opens(bound: Bound) -> None:
    reference = bound.reference(bound.twinspace)
    bound.place("original", reference=reference)
    bound.place("copy", context=COPY, reference=reference)
    bound.place("copy-2", context=COPY_2, reference=reference)
    with requests.Session() as carl:
        waiting = bound.launch(carl, CARL, "copy")
        assert waiting.status_code == 403
        assert 'data-error="approval_pending"' in waiting.text
        assert "Anna Founder" in html.unescape(waiting.text)
        again = bound.launch(carl, CARL, "copy")  # still waiting, one request only
        assert 'data-error="approval_pending"' in again.text
        assert bound.launch(carl, CARL, "copy-2").status_code == 403
    assert bound.counts()["pending"] == 2

    with requests.Session() as ada:
        assert bound.launch(ada, ADA, "original").status_code == 200
        page, fields = _connections(bound, ada)
        assert page.count("data-request=") == 2
        assert "7B (copy for next year)" in page and "Carl Copier" in page
        first, second = (int(n) for n in re.findall(r'data-request="(\d+)"', page))
        approved = ada.post(
            f"{bound.tool_url}/embed/connections/{first}/approve",
            data=fields,
            timeout=10,
            allow_redirects=False,
        )
        assert approved.status_code == 303, approved.text[:800]

    with requests.Session() as carl:
        opened = bound.launch(carl, CARL, "copy")
        assert opened.status_code == 200, opened.text[:800]
        assert (
            opened.headers["Content-Location"] == f"/embed/twinspace/{bound.resources.twinspace_id}"
        )
        # Carl is now a teacher of the TwinSpace, not its administrator: he cannot decide.
        _page, carl_fields = _connections(bound, carl)
        refused = carl.post(
            f"{bound.tool_url}/embed/connections/{second}/approve",
            data=carl_fields,
            timeout=10,
            allow_redirects=False,
        )
        assert refused.status_code == 403
    with requests.Session() as ada:
        bound.launch(ada, ADA, "original")
        _page, fields = _connections(bound, ada)
        declined = ada.post(
            f"{bound.tool_url}/embed/connections/{second}/decline",
            data=fields,
            timeout=10,
            allow_redirects=False,
        )
        assert declined.status_code == 303
        twice = ada.post(
            f"{bound.tool_url}/embed/connections/{second}/approve",
            data=fields,
            timeout=10,
            allow_redirects=False,
        )
        assert twice.status_code == 409  # already decided
    with requests.Session() as carl:
        closed = bound.launch(carl, CARL, "copy-2")
    assert closed.status_code == 403
    assert 'data-error="connection_declined"' in closed.text


def test_the_tool_administrator_binds_an_activity_by_hand(bound: Bound) -> None:
    bound.place("legacy", custom={"etwin_resource": bound.twinspace})
    with requests.Session() as browser:
        assert bound.launch(browser, ADA, "legacy").status_code == 403
    platform = bound.container.registrations.find_platform(bound.peer.issuer)
    result = CliRunner().invoke(
        main,
        ["bind", str(platform.id), bound.peer.deployment_id, COURSE, "legacy", bound.twinspace],
        obj=CliState(bound.app),
    )
    assert result.exit_code == 0, result.output
    with requests.Session() as browser:
        opened = bound.launch(browser, ADA, "legacy")
    assert opened.status_code == 200, opened.text[:800]
    refused = CliRunner().invoke(
        main,
        ["bind", str(platform.id), bound.peer.deployment_id, COURSE, "legacy", "twinspace:x"],
        obj=CliState(bound.app),
    )
    assert refused.exit_code != 0


def test_the_demo_sandbox_activities_open(tmp_path: Path, sqlite_url: str) -> None:
    """``serve --demo``'s sandbox LMS places its activities with tool-signed references: each
    opens its resource on the first click, over HTTP."""
    with serving_demo_tool(sqlite_url, tmp_path) as demo:
        activities = demo.sandbox.resources()
        assert {r.kind for r in activities} == {"twinspace", "event", "unit"}
        assert all("etwin_ref=" in (r.url or "") for r in activities)
        for activity in activities:
            with requests.Session() as browser:
                url = f"{demo.base_url}/sandbox/launch?user=teacher&resource={activity.id}"
                opened = launch_through(browser, url)
            assert opened.status_code == 200, opened.text[:800]
            assert opened.headers["Content-Location"].startswith(f"/embed/{activity.kind}/")


def test_a_cartridge_activity_binds_its_unit_though_the_import_drops_custom(
    bound: Bound, tmp_path: Path
) -> None:
    """Moodle's IMS CC import keeps the launch URL only; the reference is in it."""
    output = tmp_path / "course.imscc"
    exported = CliRunner().invoke(
        main,
        ["export", "cc", str(bound.resources.edition_id), "--output", str(output)],
        obj=CliState(bound.app),
    )
    assert exported.exit_code == 0, exported.output
    with zipfile.ZipFile(output) as archive:
        link = ET.fromstring(archive.read(f"unit_{bound.resources.unit_id}/basiclti_link.xml"))
    launch_url = link.findtext(f"{{{BLTI_NS}}}launch_url")
    assert launch_url and "etwin_ref=" in launch_url
    container = bound.app.extensions["etwin"]
    platform = container.registrations.find_platform(bound.peer.issuer, bound.peer.client_id)
    for course in (COURSE, COPY):  # an open reference: any course of any LMS
        # The distance course's units are for teachers: the courses importing it are
        # teacher-training courses (a school course's pupils are refused a unit).
        container.role_policies.set_audience(platform.id, Audience.TRAINING, context_id=course)
        link_id = f"imported-{course}"
        bound.peer.platform.add_resource(
            SandboxResource(link_id, "Unit 1", course, custom={}, url=launch_url)
        )
        with requests.Session() as browser:
            opened = bound.launch(browser, PIET, link_id)
        assert opened.status_code == 200, opened.text[:800]
        assert opened.headers["Content-Location"] == f"/embed/unit/{bound.resources.unit_id}"
