"""What ``etwin-lti serve --demo`` runs, on 127.0.0.1 in a thread: the sandbox LMS mounted at
/sandbox/ and registered with the tool, demo data loaded. Shared by the e2e and browser tiers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from etwin_lti.domain.identities import LtiIdentity
from etwin_lti.services.demo import DemoResources, load_demo
from etwin_lti.web.sandbox_mount import register_sandbox
from tests.conftest import make_test_app
from tests.e2e.peer import ThreadedServer


@dataclass
class DemoTool:
    app: Any
    base_url: str
    demo: DemoResources

    @property
    def container(self) -> Any:
        return self.app.extensions["etwin"]

    @property
    def sandbox(self) -> Any:
        return self.app.extensions["sandbox"]

    def link(self, sandbox_user_id: str, person_id: int) -> None:
        """Make a sandbox LMS user a given demo person (as their first launch would)."""
        client = self.sandbox.get_client()
        self.container.identities.link(
            LtiIdentity(self.sandbox.issuer, sandbox_user_id),
            person_id,
            deployment_id=client.deployment_id,
            kind=self.container.hub.get_person(person_id).kind,
        )


@contextmanager
def serving_demo_tool(database_url: str, tmp_path: Path) -> Iterator[DemoTool]:
    with ThreadedServer("127.0.0.1") as server:
        app = make_test_app(database_url, tmp_path, DEMO=True, BASE_URL=server.base_url)
        container = app.extensions["etwin"]
        register_sandbox(
            container.registrations, app.extensions["sandbox"], container.role_policies
        )
        demo = load_demo(container.hub)  # what `serve --demo` loads
        server.start(app)
        yield DemoTool(app, server.base_url, demo)
        container.database.dispose()
