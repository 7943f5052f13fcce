"""``HttpHubConnector``: the ``HubPort`` of another etwin-lti instance, over its REST API.

It passes the same contract suite as the local hub (``tests/contract/test_http_hub.py``): every
method calls ``/api/v1`` with an admin token, rebuilds the domain dataclasses through the
``schemas.api`` response schemas, and turns the error body ``{"code", "message", "errors"}`` back
into the same ``etwin_lti.errors`` class the remote hub raised.

Outbound HTTP: one injected ``requests.Session`` (build it with ``hub_session``), explicit
connect/read timeouts, and urllib3 retries with exponential backoff for connection errors (any
method: nothing was sent) and for 502/503/504 answers to idempotent methods only (GET, PUT), so a
retried POST can never create something twice.
"""

from __future__ import annotations

from connectors.http_hub.base import API_PREFIX, RETRY_STATUSES, hub_session
from connectors.http_hub.chat import ChatArea
from connectors.http_hub.content import ContentArea
from connectors.http_hub.course import CourseArea
from connectors.http_hub.events import EventsArea
from connectors.http_hub.material_files import MaterialFilesArea
from connectors.http_hub.moderation import ModerationArea
from connectors.http_hub.partner_invitations import PartnerInvitationsArea
from connectors.http_hub.people import PeopleArea
from connectors.http_hub.projects import ProjectsArea
from connectors.http_hub.public import PublicArea
from connectors.http_hub.recognition import RecognitionArea
from connectors.http_hub.twinspaces import TwinSpacesArea


class HttpHubConnector(
    PeopleArea,
    PartnerInvitationsArea,
    ProjectsArea,
    TwinSpacesArea,
    ContentArea,
    ModerationArea,
    EventsArea,
    CourseArea,
    RecognitionArea,
    MaterialFilesArea,
    ChatArea,
    PublicArea,
):
    """The whole ``HubPort``: one area mixin per narrow port over ``HttpHubBase``."""


__all__ = ["API_PREFIX", "RETRY_STATUSES", "HttpHubConnector", "hub_session"]
