"""The world of the teacher-linking tests: the tool on 127.0.0.1, the sandbox LMS peer on
localhost, a real SMTP server in-process, the seeded TwinSpace whose founder Anna has connected
her LMS account already, and helpers that act as a teacher's browser.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import text

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.domain.model import PersonKind
from etwin_lti.sandbox.model import INSTRUCTOR, SandboxUser
from tests.conftest import make_test_app
from tests.e2e.harness import Resources, seed_resources
from tests.e2e.peer import RunningPeer, ThreadedServer, launch_through, serve_peer, submit_autopost
from tests.support.smtp_server import RunningSmtp, smtp_server


@dataclass
class LinkWorld:
    tool_url: str
    app: Any
    peer: RunningPeer
    resources: Resources
    smtp: RunningSmtp
    anna_id: int  # founder (FR) of the seeded TwinSpace; her LMS account is connected already

    @property
    def container(self) -> Any:
        return self.app.extensions["etwin"]

    @property
    def hub(self) -> Any:
        return self.container.hub

    def person_of(self, lms_user: str) -> int | None:
        """The hub person the LMS user is linked to, if any."""
        known = self.container.identities.find(LtiIdentity(self.peer.issuer, lms_user))
        return None if known is None else int(known.person_id)

    def add_teacher(self, user_id: str, name: str, email: str | None = None) -> None:
        self.peer.platform.add_user(SandboxUser(user_id, name, (INSTRUCTOR,), email, user_id, "FR"))

    def get(self, browser: requests.Session, path: str) -> requests.Response:
        return browser.get(self.tool_url + path, allow_redirects=False, timeout=10)

    def post_form(
        self, browser: requests.Session, page: requests.Response, form: str, **fields: Any
    ) -> requests.Response:
        """Submit the form ``data-form=<form>`` of ``page`` with its hidden fields."""
        match = re.search(
            rf'<form method="post" action="([^"]+)" data-form="{form}">(.*?)</form>',
            page.text,
            re.S,
        )
        assert match, page.text[:1500]
        hidden = {
            name: html.unescape(value)
            for name, value in re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)">', match.group(2)
            )
        }
        action = html.unescape(match.group(1))
        return browser.post(
            self.tool_url + action, data={**hidden, **fields}, allow_redirects=False, timeout=10
        )

    def post_hidden(
        self, browser: requests.Session, page: requests.Response, path: str, **fields: str
    ) -> requests.Response:
        """POST to ``path`` with the launch and CSRF tokens ``page`` carries (its forms' hidden
        fields or the embedded pages' meta tags), as a page's own script would."""
        found = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
        found.update(re.findall(r'<meta name="([^"]+)" content="([^"]*)">', page.text))
        tokens = {
            name: html.unescape(found[name])
            for name in ("csrf_token", "etwin_launch_token")
            if name in found
        }
        assert "csrf_token" in tokens, page.text[:1500]
        return browser.post(
            self.tool_url + path, data={**tokens, **fields}, allow_redirects=False, timeout=10
        )

    def post_form_action(
        self, browser: requests.Session, page: requests.Response, ending: str
    ) -> requests.Response:
        """POST the first form of ``page`` whose action ends with ``ending``."""
        action = re.search(rf'<form method="post" action="([^"]*{re.escape(ending)})"', page.text)
        assert action, page.text[:1500]
        return self.post_hidden(browser, page, html.unescape(action.group(1)))

    def create_project(
        self, browser: requests.Session, picker: requests.Response, **fields: str
    ) -> requests.Response:
        hidden = {
            name: html.unescape(value)
            for name, value in re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)">', picker.text
            )
            if name != "action"
        }
        return browser.post(
            self.tool_url + "/lti/deep-link/project", data={**hidden, **fields}, timeout=10
        )

    def open_picker(self, browser: requests.Session, user: str) -> requests.Response:
        launched = launch_through(browser, self.peer.launch_url(user=user, message="deeplink"))
        assert launched.status_code == 303, launched.text[:800]
        return self.get(browser, "/lti/deep-link")

    def embed_and_launch(
        self, browser: requests.Session, picker: requests.Response, item: str, user: str
    ) -> requests.Response:
        """Choose ``item`` in the picker, let the LMS place it, launch it, open the page."""
        fields = {
            name: html.unescape(value)
            for name, value in re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)">', picker.text
            )
            if name != "action"
        }
        answer = browser.post(
            self.tool_url + "/lti/deep-link",
            data={**fields, "action": "embed", "item": [item]},
            timeout=10,
        )
        assert submit_autopost(browser, answer).status_code == 200
        placed = [
            r for r in self.peer.platform.resources() if r.custom.get("etwin_resource") == item
        ][-1]
        launched = launch_through(browser, self.peer.launch_url(user=user, resource=placed.id))
        assert launched.status_code == 200, launched.text[:800]
        page = self.get(browser, launched.headers["Content-Location"])
        assert page.status_code == 200, page.text[:800]
        return page

    def count(self, table: str) -> int:
        with self.container.database.engine.connect() as connection:
            return int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


def link_world(database_url: str, tmp_path: Path) -> Iterator[LinkWorld]:
    with smtp_server() as smtp, ThreadedServer("127.0.0.1") as tool:
        app = make_test_app(
            database_url,
            tmp_path,
            BASE_URL=tool.base_url,
            SMTP_HOST=smtp.host,
            SMTP_PORT=smtp.port,
            SMTP_STARTTLS=False,
            MAIL_FROM="etwinning@tool.example",
        )
        container = app.extensions["etwin"]
        resources = seed_resources(container.hub)
        anna_id = container.hub.get_project(
            container.hub.get_twinspace(resources.twinspace_id).project_id
        ).founder_ids[0]
        tool.start(app)
        try:
            with serve_peer(tool.base_url) as peer:
                peer.register_with(container.registrations)
                peer.platform.add_user(
                    SandboxUser("anna", "Anna Founder", (INSTRUCTOR,), None, "anna", "FR")
                )
                # Anna connected her LMS account earlier (as these tests show for others).
                container.identities.link(
                    LtiIdentity(peer.issuer, "anna"),
                    anna_id,
                    deployment_id=peer.deployment_id,
                    kind=PersonKind.TEACHER,
                )
                yield LinkWorld(tool.base_url, app, peer, resources, smtp, anna_id)
        finally:
            container.database.dispose()


def founder_makes_invitation(world: LinkWorld, invitee: str = "", note: str = "") -> str:
    """Anna opens the TwinSpace, its invitations page, and creates an invitation."""
    ts = world.resources.twinspace_id
    with requests.Session() as anna:
        launched = launch_through(
            anna, world.peer.launch_url(user="anna", etwin_resource=f"twinspace:{ts}")
        )
        page = world.get(anna, launched.headers["Content-Location"])
        assert 'data-etwin-role="teacher_administrator"' in page.text
        assert 'data-action="invitations"' in page.text
        invitations = world.get(anna, f"/embed/twinspace/{ts}/invitations")
        assert invitations.status_code == 200, invitations.text[:800]
        created = world.post_form(anna, invitations, "invitation-new", invitee=invitee, note=note)
        assert created.status_code == 200, created.text[:800]
        url = re.search(r'data-invitation-url="([^"]+)"', created.text)
        assert url, created.text[:800]
        assert 'data-state="pending"' in created.text
        return html.unescape(url.group(1))


COUNTED = (
    "people",
    "lti_identities",
    "teacher_accounts",
    "twinspace_members",
    "event_enrolments",
    "activity_completions",
)


def counts(world: LinkWorld) -> dict[str, int]:
    """What a refused link must leave as it was, plus the invitations and codes consumed."""
    found = {table: world.count(table) for table in COUNTED}
    with world.container.database.engine.connect() as connection:
        for name, query in (
            (
                "invitations_used",
                "SELECT count(*) FROM teacher_invitations WHERE used_at IS NOT NULL",
            ),
            (
                "codes_used",
                "SELECT count(*) FROM teacher_login_codes WHERE consumed_at IS NOT NULL",
            ),
        ):
            found[name] = int(connection.execute(text(query)).scalar_one())
    return found


def linking_page(world: LinkWorld, browser: requests.Session, user: str, **launch: str) -> Any:
    """A teacher's first launch (the picker unless ``launch`` names a resource), then the
    linking page."""
    if launch:
        launched = launch_through(browser, world.peer.launch_url(user=user, **launch))
        assert launched.status_code == 200, launched.text[:800]
    else:
        world.open_picker(browser, user)
    page = world.get(browser, "/lti/link")
    assert page.status_code == 200, page.text[:800]
    return page


def last_code(world: LinkWorld) -> str:
    body = world.smtp.messages[-1].get_body(("plain",))
    assert body is not None
    match = re.search(r"\b(\d{6})\b", body.get_content())
    assert match
    return match.group(1)
