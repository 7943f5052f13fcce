"""What the sandbox LMS knows: its users, courses, resource links and the tools registered in it.

Everything is in memory: the sandbox is a demonstration and test peer, not a product. Tests
change it through ``SandboxPlatform`` (``add_user``, ``add_resource``, ``hooks``...).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from etwin_lti.sandbox.keys import PlatformKeys

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
INSTRUCTOR = LIS + "membership#Instructor"
LEARNER = LIS + "membership#Learner"
MENTOR = LIS + "membership#Mentor"
TEACHING_ASSISTANT = LIS + "membership/Instructor#TeachingAssistant"
CONTENT_DEVELOPER = LIS + "membership#ContentDeveloper"
INSTITUTION_ADMIN = LIS + "institution/person#Administrator"
SYSTEM_ADMIN = LIS + "system/person#Administrator"
COURSE_OFFERING = LIS + "course#CourseOffering"


@dataclass(frozen=True)
class SandboxUser:
    id: str  # becomes ``sub`` and ``login_hint`` (Moodle: the user id)
    name: str
    roles: tuple[str, ...]
    email: str | None = None
    label: str = ""  # shown on the buttons ("teacher", "pupil"...)
    country: str | None = None  # for the $Person.address.country substitution
    # Moodle's site administrators launch as Instructor of every course without being in its
    # roster; its non-editing teachers launch with one role and are listed with another.
    enrolled: bool = True  # in the courses' rosters (NRPS)
    roster_roles: tuple[str, ...] | None = None  # as NRPS lists them; None: the launch roles
    contexts: tuple[str, ...] | None = None  # the courses they are in; None: every course

    def in_context(self, context_id: str) -> bool:
        return self.contexts is None or context_id in self.contexts

    @property
    def given_name(self) -> str:
        return self.name.split(" ", 1)[0]

    @property
    def family_name(self) -> str:
        return self.name.split(" ", 1)[1] if " " in self.name else ""


@dataclass(frozen=True)
class SandboxContext:
    id: str
    title: str
    label: str


@dataclass(frozen=True)
class SandboxResource:
    """A resource link placed in a course (a Moodle "external tool" activity)."""

    id: str  # resource_link.id
    title: str
    context_id: str
    custom: Mapping[str, str] = field(default_factory=dict)  # e.g. etwin_resource
    kind: str = ""  # "twinspace" | "event" | "unit" | "" (for the sandbox page's sections)
    url: str | None = None  # the activity's launch URL (target_link_uri); None: the tool's


@dataclass
class ToolClient:
    """One tool registration in the platform: a client_id with one deployment."""

    client_id: str
    deployment_id: str
    name: str
    initiate_login_uri: str
    redirect_uris: tuple[str, ...]
    target_link_uri: str
    jwks_uri: str
    deep_link_uri: str | None = None  # target of LtiDeepLinkingRequest; default target_link_uri
    scopes: tuple[str, ...] = ()
    share_names: bool = True
    share_email: bool = False
    custom_parameters: Mapping[str, str] = field(default_factory=dict)
    registration_request: Mapping[str, Any] | None = None  # as POSTed by dynamic registration

    @classmethod
    def for_tool(
        cls,
        tool_base_url: str,
        *,
        client_id: str,
        deployment_id: str,
        name: str = "eTwinning",
        share_names: bool = True,
        share_email: bool = False,
    ) -> ToolClient:
        """The manual registration of an etwin-lti tool, from its base URL (its config.json)."""
        base = tool_base_url.rstrip("/")
        return cls(
            client_id=client_id,
            deployment_id=deployment_id,
            name=name,
            initiate_login_uri=base + "/lti/login",
            redirect_uris=(base + "/lti/launch",),
            target_link_uri=base + "/lti/launch",
            jwks_uri=base + "/.well-known/jwks.json",
            scopes=ALL_SERVICE_SCOPES,
            share_names=share_names,
            share_email=share_email,
            # As the tool's config.json asks an administrator to enter.
            custom_parameters={"etwin_country": "$Person.address.country"},
        )


AGS_SCOPES = tuple(
    "https://purl.imsglobal.org/spec/lti-ags/scope/" + s
    for s in ("lineitem", "lineitem.readonly", "result.readonly", "score")
)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ALL_SERVICE_SCOPES = (*AGS_SCOPES, NRPS_SCOPE)


@dataclass(frozen=True)
class PendingLaunch:
    """Between login initiation and the authorization request (keyed by lti_message_hint)."""

    hint: str
    browser: str  # the platform-session cookie value that must come back with /auth
    client_id: str
    user_id: str
    message_type: str  # LtiResourceLinkRequest | LtiDeepLinkingRequest
    resource_id: str | None
    context_id: str
    created_at: float
    extra_custom: Mapping[str, str] = field(default_factory=dict)  # tests: launch-only params
    locale: str | None = None  # launch_presentation.locale: the language the LMS user chose


@dataclass(frozen=True)
class DeepLinkReturn:
    client_id: str
    deployment_id: str
    user_id: str | None
    context_id: str
    items: tuple[Mapping[str, Any], ...]
    msg: str | None
    errormsg: str | None
    received_at: datetime


ClaimsHook = Callable[[dict[str, Any], PendingLaunch], dict[str, Any]]
EncodeHook = Callable[[dict[str, Any], PlatformKeys], str]
ParamsHook = Callable[[dict[str, str]], dict[str, str]]
ResponseHook = Callable[[dict[str, Any]], Any]  # returns a Flask response value


@dataclass
class SandboxHooks:
    """Test hooks: bend the platform's messages to make hostile ones. None means normal."""

    alter_claims: ClaimsHook | None = None  # id_token claims before signing
    encode_id_token: EncodeHook | None = None  # replace the RS256 signing (alg none, wrong key)
    alter_login_params: ParamsHook | None = None  # OIDC login initiation parameters
    alter_openid_configuration: ResponseHook | None = None  # answer of the openid config URL
    alter_registration_response: ResponseHook | None = None  # answer of the registration POST

    def reset(self) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, None)


DEFAULT_USERS = (
    SandboxUser("2", "Ada Teacher", (INSTRUCTOR,), "ada@school.example", "teacher", "FR"),
    SandboxUser("3", "Piet Pupil", (LEARNER,), "piet@school.example", "pupil", "FR"),
    SandboxUser("4", "Maria Mentor", (MENTOR,), "maria@school.example", "mentor", "FR"),
    SandboxUser(
        "5", "Alex Admin", (INSTITUTION_ADMIN, SYSTEM_ADMIN), "alex@school.example", "admin", "FR"
    ),
    SandboxUser("6", "Tomas Assistant", (TEACHING_ASSISTANT,), None, "assistant", "FR"),
    SandboxUser("7", "Dana Designer", (CONTENT_DEVELOPER,), None, "designer", "FR"),
)
DEFAULT_CONTEXTS = (SandboxContext("course-7b", "eTwinning class 7B", "7B"),)
# What each sandbox person plays, shown on the sandbox page so a first-time visitor knows whom to
# pick: the LMS role sent in the launch, then what the tool's default role table makes of it
# (DESIGN.md, "People, audiences and role mapping"; an administrator can change that table).
ROLE_NOTES = {
    "teacher": (
        "LMS role Instructor. In the tool: a teacher; the demo TwinSpace's founder, so a "
        "teacher administrator who can manage members, bind activities and approve course"
        " copies."
    ),
    "pupil": (
        "LMS role Learner. In the tool: a pupil of the TwinSpace under a pseudonym, with "
        "no e-mail kept; refused with a clear page by teachers-only activities (events, "
        "course units)."
    ),
    "mentor": (
        "LMS role Mentor (a parent). In the tool: a read-only visitor, and only once a "
        "teacher administrator granted a visitor permit; refused otherwise."
    ),
    "admin": (
        "LMS institution and system Administrator, not in the course. In the tool: no "
        "membership; the tool administrator's pages only."
    ),
    "assistant": (
        "LMS role TeachingAssistant. In the tool: a teacher (no e-mail shared by this LMS)."
    ),
    "designer": (
        "LMS role ContentDeveloper. In the tool: a teacher (no e-mail shared by this LMS)."
    ),
    "siteadmin": (
        "Moodle's site administrator: launches as Instructor without being in the roster."
    ),
    "non-editing": (
        "Moodle's non-editing teacher: Instructor#TeachingAssistant at launch, "
        "TeachingAssistant in the roster; the tool gives one consistent outcome (a "
        "teacher)."
    ),
    "trainer": (
        "Teacher-training LMS, role Instructor. In the tool: the trainer of the distance-"
        "course edition (dashboard, completions) or the expert of an event."
    ),
    "trainee": (
        "Teacher-training LMS, role Learner. In the tool: a teacher taking the course or the event."
    ),
    "trainee-2": ("Teacher-training LMS, role Learner, from another country: a second trainee."),
}
INSTRUCTOR_TEACHING_ASSISTANT = LIS + "membership/Instructor#TeachingAssistant"
# Moodle plays these too (lti-landscape.md, Moodle quirks): add them with ``add_user``.
MOODLE_SITE_ADMIN = SandboxUser(
    "8",
    "Sam Siteadmin",
    (INSTRUCTOR, INSTITUTION_ADMIN, SYSTEM_ADMIN),
    "sam@school.example",
    "siteadmin",
    "FR",
    enrolled=False,
)
MOODLE_NON_EDITING_TEACHER = SandboxUser(
    "9",
    "Nina Nonediting",
    (INSTRUCTOR_TEACHING_ASSISTANT,),
    "nina@school.example",
    "non-editing",
    "FR",
    roster_roles=(LIS + "membership#TeachingAssistant",),
)
# A teacher-training LMS (the NSO's Moodle that runs the distance course): everyone who
# launches is a teacher; its learners are trainees (``SandboxSettings.teacher_training``).
TRAINING_COURSE = "nso-course-2026"
TRAINING_USERS = (
    SandboxUser("21", "Tina Trainer", (INSTRUCTOR,), "tina@nso.example", "trainer", "DE"),
    SandboxUser("22", "Theo Trainee", (LEARNER,), "theo@school.example", "trainee", "DE"),
    SandboxUser("23", "Tara Trainee", (LEARNER,), "tara@school.example", "trainee-2", "AT"),
)
TRAINING_CONTEXTS = (SandboxContext(TRAINING_COURSE, "eTwinning distance course", "DC26"),)


@dataclass
class SandboxSettings:
    """How to build a sandbox platform.

    ``base_url`` is the platform's own URL and its issuer (``http://localhost:8123`` for the
    standalone peer, ``<tool>/sandbox`` inside the tool). With ``tool_base_url`` the tool at
    that address is registered by hand as ``client_id``/``deployment_id`` (as an admin would
    from the tool's config.json); dynamic registration adds more tool clients.
    """

    base_url: str
    tool_base_url: str | None = None
    client_id: str = "etwin-sandbox"
    deployment_id: str = "sandbox-1"
    keys: PlatformKeys | None = None  # generated when None
    users: Sequence[SandboxUser] = DEFAULT_USERS
    contexts: Sequence[SandboxContext] = DEFAULT_CONTEXTS
    resources: Sequence[SandboxResource] = ()
    # Called on every sandbox page: lets the tool offer its demo resources (looked up at
    # request time, so that the demo data may be loaded after the app was built).
    resource_provider: Callable[[], Sequence[SandboxResource]] | None = None
    # How ``resource_for`` places an activity the way the tool's picker would have, with the
    # tool-signed reference the tool gives it: (etwin_resource, issuer, deployment_id,
    # context_id) -> the reference. The tool side provides it (the sandbox never signs).
    reference_for: Callable[[str, str, str, str], str | None] | None = None
    share_names: bool = True
    share_email: bool = False
    product_name: str = "etwin-lti sandbox LMS"
    id_token_seconds: int = 300
    http_timeout_seconds: float = 5.0
    clock: Callable[[], float] = time.time
    cookie_name: str = "sandbox_lms_session"
    # LTI client-side postMessage storage: the name of the storage frame the LMS page holds,
    # sent as ``lti_storage_target`` in every login initiation (None: no storage offered).
    storage_target: str | None = None

    @classmethod
    def teacher_training(cls, base_url: str, **changes: Any) -> SandboxSettings:
        """The sandbox playing an NSO's teacher-training Moodle instead of a school's."""
        changes.setdefault("users", TRAINING_USERS)
        changes.setdefault("contexts", TRAINING_CONTEXTS)
        changes.setdefault("product_name", "etwin-lti sandbox teacher-training LMS")
        return cls(base_url, **changes)
