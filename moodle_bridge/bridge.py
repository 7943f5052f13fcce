"""``MoodleBridge``: the Moodle use cases the CLI and the task queue call.

Built by ``etwin_lti.bootstrap.build_moodle`` with the site store, the hub, the identity store
and one ``requests.Session`` shared by every ``MoodleClient`` it makes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import requests

from etwin_lti.domain.identities import IdentityStore
from etwin_lti.domain.moodle import (
    AcknowledgementTarget,
    CourseMapping,
    MoodleSite,
    MoodleSiteStore,
    PollReport,
    TargetKind,
)
from etwin_lti.domain.ports import HubPort
from etwin_lti.errors import NotFoundError
from moodle_bridge.client import MoodleClient
from moodle_bridge.completion_poll import poll_completions
from moodle_bridge.errors import MoodleAccessDeniedError
from moodle_bridge.functions import SiteInfo, get_course, get_site_info
from moodle_bridge.sites import normalise_site_url


class MoodleBridge:
    def __init__(
        self,
        store: MoodleSiteStore,
        hub: HubPort,
        identities: IdentityStore,
        session: requests.Session,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        backoff_seconds: float = 0.5,
    ) -> None:
        self.store = store
        self._hub = hub
        self._identities = identities
        self._session = session
        self._client_options = {
            "timeout": timeout,
            "retries": retries,
            "backoff_seconds": backoff_seconds,
        }

    def client(self, url: str, token: str) -> MoodleClient:
        return MoodleClient(url, token, self._session, **self._client_options)  # type: ignore[arg-type]

    def client_for(self, site: MoodleSite) -> MoodleClient:
        return self.client(site.url, self.store.site_token(site.id))

    def add_site(
        self,
        url: str,
        token: str,
        *,
        now: datetime,
        label: str = "",
        issuer: str | None = None,
    ) -> tuple[MoodleSite, SiteInfo]:
        """Check the token against the site (core_webservice_get_site_info), then store it.
        A wrong token, URL or missing function is refused before anything is written."""
        url = normalise_site_url(url)
        info = get_site_info(self.client(url, token.strip()))
        missing = info.missing_functions()
        if missing:
            raise MoodleAccessDeniedError(
                "The token's external service lacks these functions: " + ", ".join(missing),
                errorcode="missingfunctions",
            )
        site = self.store.add_site(
            url,
            token,
            now=now,
            issuer=issuer,
            label=label,
            site_name=info.sitename,
            release=info.release,
        )
        return site, info

    def map_course(
        self,
        site_id: int,
        course_id: int,
        target: AcknowledgementTarget,
        *,
        now: datetime,
        cmid: int | None = None,
    ) -> CourseMapping:
        """The hub target must exist and Moodle must know the course."""
        site = self.store.get_site(site_id)
        hub = self._hub
        if target.kind is TargetKind.EDITION:
            hub.get_edition(target.id)
        else:
            hub.get_event(target.id)
        if get_course(self.client_for(site), course_id) is None:
            raise NotFoundError(f"Moodle site {site_id} has no course {course_id}.")
        return self.store.add_mapping(site_id, course_id, target, now=now, cmid=cmid)

    def poll(self, *, now: Callable[[], datetime], site_id: int | None = None) -> PollReport:
        return poll_completions(
            self.store,
            self._hub,
            self._identities,
            self.client_for,
            now=now,
            site_id=site_id,
        )
