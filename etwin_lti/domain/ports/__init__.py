"""Ports: the ``typing.Protocol``s the services and the web layer talk to.

Adapters in ``connectors/`` and ``moodle_bridge/`` implement them; only ``etwin_lti.bootstrap``
chooses which. One module per concern: ``hub`` (one port per area of the eTwinning hub and
``HubPort``, their union; the content area is in ``content``), ``progress``, ``registrations``,
``identities``.
"""

from __future__ import annotations

from etwin_lti.domain.model import RoleSource
from etwin_lti.domain.ports.chat import ChatHub
from etwin_lti.domain.ports.content import ContentHub
from etwin_lti.domain.ports.file_store import FileStore
from etwin_lti.domain.ports.hub import (
    CourseHub,
    EventsHub,
    HubPort,
    PeopleHub,
    ProjectsHub,
    PublicHub,
    RecognitionHub,
    TwinSpacesHub,
)
from etwin_lti.domain.ports.identities import IdentityStore
from etwin_lti.domain.ports.material_files import MaterialFilesHub
from etwin_lti.domain.ports.registrations import PlatformRegistrationClient, RegistrationStore

__all__ = [
    "ChatHub",
    "ContentHub",
    "CourseHub",
    "EventsHub",
    "FileStore",
    "HubPort",
    "IdentityStore",
    "MaterialFilesHub",
    "PeopleHub",
    "PlatformRegistrationClient",
    "ProjectsHub",
    "PublicHub",
    "RecognitionHub",
    "RegistrationStore",
    "RoleSource",
    "TwinSpacesHub",
]
