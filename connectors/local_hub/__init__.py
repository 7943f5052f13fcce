"""``LocalHub``: the eTwinning hub in the tool's own database (the embedded default).

Implements ``etwin_lti.domain.ports.HubPort``. Every method is one unit of work
(``Database.session()``): the rules of ``etwin_lti.domain`` are checked inside the transaction
and any refusal rolls the whole call back, so a refused call writes nothing. Checks run in a
fixed order: bad values (422), unknown ids (404), the actor's rights (403), then eTwinning rules
and states (409).

Two rules must hold under concurrent requests and are therefore enforced by the database:
- an acknowledgement exists at most once per (kind, person, subject): a unique constraint,
  whose ``IntegrityError`` becomes ``DuplicateAcknowledgementError``;
- a Learning Event never takes more people than its capacity: seats are taken by one
  conditional ``UPDATE ... SET enrolled = enrolled + 1 WHERE enrolled < capacity``, atomic on
  SQLite and PostgreSQL alike.
The four-NQL-applications limit locks the teacher's row (``FOR UPDATE`` on PostgreSQL; SQLite
has a single writer); so do founding a project and changing a person's country, so that a
country never changes once its owner founded a project.

Learning Events: ``list_events(open_only=True)`` lists the events that still take enrolments
(open or running, see ``etwin_lti.domain.events``).
"""

from __future__ import annotations

from connectors.local_hub.chat import ChatArea
from connectors.local_hub.content import ContentArea
from connectors.local_hub.course import CourseArea
from connectors.local_hub.events import EventsArea
from connectors.local_hub.material_files import MaterialFilesArea
from connectors.local_hub.member_sync import MemberSyncArea
from connectors.local_hub.moderation import ModerationArea
from connectors.local_hub.partner_invitations import PartnerInvitationsArea
from connectors.local_hub.people import PeopleArea
from connectors.local_hub.projects import ProjectsArea
from connectors.local_hub.public import PublicArea
from connectors.local_hub.recognition import RecognitionArea
from connectors.local_hub.twinspaces import TwinSpacesArea


class LocalHub(
    PeopleArea,
    PartnerInvitationsArea,
    ProjectsArea,
    TwinSpacesArea,
    MemberSyncArea,
    ContentArea,
    ModerationArea,
    EventsArea,
    CourseArea,
    RecognitionArea,
    MaterialFilesArea,
    ChatArea,
    PublicArea,
):
    """The whole ``HubPort``: one area mixin per narrow port over ``LocalHubBase``."""


__all__ = ["LocalHub"]
