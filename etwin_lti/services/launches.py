"""The launch use cases: OIDC login initiation, id_token launch, and reading a launch session.

Over ports only (registrations, shared cache, platform keys, identities, hub, sessions, role
policy) and the sans-IO core ``etwin_lti.lti``. Every check happens before the first write that
matters: a refused launch leaves no person, membership or session behind. The only writes of a
refused launch are the used-state mark (single use by design), the replay mark of a
correctly signed token, and an unknown deployment recorded inactive for the administrator.
Login initiation writes nothing at all: its state travels sealed in the browser's state cookie
(``etwin_lti.lti.login_state``), so anonymous floods of ``/lti/login`` cost no row. When the
platform offers client-side storage, the sealed state also goes there (``lti.client_storage``),
and a launch without the cookie reads it back through the tool's launch page.

Round trips of a returning user's launch once the platform keys are cached (PostgreSQL and
Redis; ``tests/e2e/test_launch_costs.py`` counts them): mark the login state used, key set and
replay mark (the shared cache); platform and deployment (one read); role policy; identity; hub
membership (two reads and no write when nothing changed); session plus resource link (one
transaction). No outbound HTTP.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from etwin_lti.domain.audiences import Admission, Audience, admit, event_role, unit_role
from etwin_lti.domain.cache import KeyValueCache
from etwin_lti.domain.identities import IdentityStore, LtiIdentity
from etwin_lti.domain.launch_ports import LaunchSessionStore, PlatformKeySource, RolePolicyStore
from etwin_lti.domain.launches import LaunchSession, Resource, ResourceKind, ServiceEndpoints
from etwin_lti.domain.model import MemberStatus, PersonKind, TwinSpaceRole
from etwin_lti.domain.ports import HubPort, RegistrationStore
from etwin_lti.domain.registrations import Deployment, Platform
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.twinspaces import MembershipSuspendedError
from etwin_lti.errors import (
    EtwinLtiError,
    InactiveDeploymentError,
    InvalidInputError,
    LaunchSessionError,
    PermissionDeniedError,
    PupilFixer,
    Reader,
    RemoteServiceError,
    RuleViolationError,
    WayOut,
)
from etwin_lti.lti import claims as c
from etwin_lti.lti.client_storage import TARGET_PARAM, StorageRequest, storage_request
from etwin_lti.lti.errors import (
    LaunchReplayedError,
    LoginStateExpiredError,
    MalformedTokenError,
    MissingStateCookieError,
    StateMismatchError,
    ToolNeedsHttpsError,
    UnknownClientIdError,
    UnknownDeploymentError,
    UnknownIssuerError,
)
from etwin_lti.lti.jwks import find_key
from etwin_lti.lti.launch import LaunchMessage, UnverifiedToken, parse_id_token, validate_id_token
from etwin_lti.lti.login_restart import restart_url, state_with_restart
from etwin_lti.lti.login_state import (
    LoginState,
    LoginStateExpired,
    LoginStateInvalid,
    LoginStateSealer,
)
from etwin_lti.lti.oidc_login import (
    authentication_request_params,
    authentication_request_url,
    parse_login_initiation,
)
from etwin_lti.lti.roles import RoleDecision, RolePolicy
from etwin_lti.lti.secure_context import cookies_cross_sites
from etwin_lti.services.provisioning import Newcomer, Provisioner
from etwin_lti.services.resource_binding import ResourceResolver

LOGIN_TTL_SECONDS = 600  # between the login redirect and the id_token POST
MAX_REPLAY_MARK_SECONDS = 24 * 3600
# Optional custom parameter ($Person.address.country in Moodle): a teacher's country, adopted
# once when the hub has none for them (``LaunchService._adopt_country``).
CUSTOM_COUNTRY = "etwin_country"
DEEP_LINK_PATH = "/lti/deep-link"
REVIEW_PATH = "/lti/review"
_DEEP_LINKERS = frozenset({TwinSpaceRole.TEACHER, TwinSpaceRole.EXPERT})


def activate_command(platform_id: int, deployment_id: str) -> str:
    """The shell command an administrator copies from the page: the deployment id is chosen by
    the platform (a hostile LMS can send ``x; rm -rf ~``), so every argument is shell-quoted."""
    return shlex.join(["etwin-lti", "platform", "activate", str(platform_id), deployment_id])


@dataclass(frozen=True)
class LoginRedirect:
    url: str  # the platform's authorization endpoint, as a top-level GET
    state_cookie: str  # the sealed login state (etwin_lti.lti.login_state), for the browser
    storage: StorageRequest | None = None  # also put it in the platform's storage (the page)


@dataclass(frozen=True)
class LaunchOutcome:
    session: LaunchSession
    redirect_path: str  # /embed/<kind>/<id>, /lti/deep-link or /lti/review


@dataclass(frozen=True)
class LaunchConfig:
    base_url: str
    leeway_seconds: int
    session_seconds: int
    store_pupil_names: bool

    @property
    def redirect_uri(self) -> str:
        return self.base_url + "/lti/launch"

    @property
    def login_url(self) -> str:
        return self.base_url + "/lti/login"


class LaunchService:
    def __init__(
        self,
        config: LaunchConfig,
        *,
        registrations: RegistrationStore,
        cache: KeyValueCache,
        platform_keys: PlatformKeySource,
        identities: IdentityStore,
        hub: HubPort,
        sessions: LaunchSessionStore,
        role_policies: RolePolicyStore,
        login_states: LoginStateSealer,
        resources: ResourceResolver,
        provisioner: Provisioner | None = None,
        record_links: bool = False,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        token: Callable[[], str] = lambda: secrets.token_urlsafe(32),
    ) -> None:
        self.config = config
        self._registrations = registrations
        self._cache = cache
        self._keys = platform_keys
        self._identities = identities
        self._hub = hub
        self._sessions = sessions
        self._policies = role_policies
        self._login_states = login_states
        self._resources = resources  # bound resources: which resource a launch opens
        self._provisioner = provisioner or Provisioner(
            identities, store_pupil_names=config.store_pupil_names
        )
        self._record_links = record_links  # resource links, for scores and roster syncs
        self._clock = clock
        self._token = token

    # --- login initiation (Security Framework 5.1.1) -----------------------------------------
    def start_login(self, params: Mapping[str, str]) -> LoginRedirect:
        initiation = parse_login_initiation(params, tool_base_url=self.config.base_url)
        platform = self._platform_for_login(initiation.iss, initiation.client_id)
        # The state also carries the login's parameters, for a restart in a new window.
        state, nonce = state_with_restart(self._token(), initiation), self._token()
        # Nothing is stored: the state travels sealed in the browser's cookie (login_state).
        sealed = self._login_states.seal(LoginState(state, nonce, platform.id), now=self._clock())
        auth = authentication_request_params(
            initiation,
            client_id=platform.client_id,
            redirect_uri=self.config.redirect_uri,
            state=state,
            nonce=nonce,
        )
        storage = storage_request(params.get(TARGET_PARAM), platform.auth_login_url, state)
        if storage is not None:  # the platform posts it back with the id_token
            auth[TARGET_PARAM] = storage.target
        url = authentication_request_url(platform.auth_login_url, auth)
        return LoginRedirect(url, sealed, storage)

    def _platform_for_login(self, issuer: str, client_id: str | None) -> Platform:
        platform = self._registrations.find_platform(issuer, client_id)
        if platform is not None:
            return platform
        known = [p for p in self._registrations.list_platforms() if p.issuer == issuer]
        if not known:
            raise UnknownIssuerError()
        if client_id is None:
            raise UnknownClientIdError(
                "This LMS has several registrations with the tool and did not say which one "
                "(client_id) it is using."
            )
        raise UnknownClientIdError()

    # --- the launch (Security Framework 5.1.3, LTI Core 5) -----------------------------------
    def storage_for_launch(self, form: Mapping[str, str]) -> StorageRequest | None:
        """For a launch that came without the state cookie: where the launch page asks for the
        sealed state, when the platform offers storage. Nothing here is trusted yet: the
        platform named by the token only gives the origin the page accepts an answer from, and
        the launch that follows runs every check."""
        id_token, state = form.get("id_token") or "", form.get("state") or ""
        if not id_token or not state or not form.get(TARGET_PARAM):
            return None
        if self._state_used(state):
            raise LaunchReplayedError()
        claims = parse_id_token(id_token).claims
        issuer, audience = claims.get(c.ISS), claims.get(c.AUD)
        client_id = audience[0] if isinstance(audience, list) and audience else audience
        if not isinstance(issuer, str) or not isinstance(client_id, str):
            return None
        platform = self._registrations.find_platform(issuer, client_id)
        if platform is None:
            return None
        return storage_request(form.get(TARGET_PARAM), platform.auth_login_url, state)

    def complete_launch(self, form: Mapping[str, str], state_cookie: str | None) -> LaunchOutcome:
        message, platform, deployment = self._verify(form, state_cookie)
        try:
            return self._complete(message, platform, deployment)
        except EtwinLtiError as error:
            error.locale = error.locale or message.locale  # the refusal in the launch's language
            raise

    def _complete(
        self, message: LaunchMessage, platform: Platform, deployment: _DeploymentLookup
    ) -> LaunchOutcome:
        self._check_deployment(platform, message.deployment_id, deployment)
        policy = self._policies.policy(platform.id, message.context_id)
        decision = RolePolicy.with_overrides(policy.overrides).decide(message.roles)
        try:
            return self._open(platform, message, decision, policy.audience)
        except EtwinLtiError as error:  # from here on, the page knows who will read it
            error.reader = self._reader(message, decision, error)
            raise

    def _open(
        self, platform: Platform, message: LaunchMessage, decision: RoleDecision, audience: Audience
    ) -> LaunchOutcome:
        teacher = decision.twinspace_role in _DEEP_LINKERS or decision.is_tool_admin
        if message.message_type == c.RESOURCE_LINK_REQUEST:
            linked = self._resources.resolve(platform, message, is_teacher=teacher)
            resource: Resource | None = linked
            path = f"/embed/{linked.kind.value}/{linked.id}"
        elif message.message_type == c.DEEP_LINKING_REQUEST:
            if not teacher:
                raise PermissionDeniedError(
                    N_("Only teachers can choose which eTwinning resource an activity opens."),
                    who_can_fix=N_("a teacher of this course"),
                    pupil_fixer=PupilFixer.AS_SAID,
                )
            resource, path = None, DEEP_LINK_PATH
        else:
            resource = self._resources.resolve_optional(platform, message, is_teacher=teacher)
            path = REVIEW_PATH
        session = self._provision(platform, message, decision, audience, resource)
        return LaunchOutcome(session, path)

    def _verify(
        self, form: Mapping[str, str], state_cookie: str | None
    ) -> tuple[LaunchMessage, Platform, _DeploymentLookup]:
        id_token, state = form.get("id_token") or "", form.get("state") or ""
        if not id_token:
            raise MalformedTokenError(N_("The LMS did not send the launch message (id_token)."))
        if not state_cookie:
            raise self._missing_state(state)
        try:
            login = self._login_states.open(state_cookie, now=self._clock())
        except LoginStateExpired:
            raise LoginStateExpiredError() from None
        except LoginStateInvalid:
            raise StateMismatchError() from None
        if not state or not hmac.compare_digest(state.encode(), login.state.encode()):
            raise StateMismatchError()
        token = parse_id_token(id_token)
        # Single use: the first launch with this state marks it; any later one is refused.
        if not self._cache.add(_state_key(login.state), b"1", LOGIN_TTL_SECONDS + 60):
            raise LaunchReplayedError()
        # The deployment is read together with the platform (one round trip) under the id the
        # token claims; it is used only once the signature and claims have been checked.
        claimed = token.claims.get(c.DEPLOYMENT_ID)
        claimed_id = claimed if isinstance(claimed, str) else ""
        platform, deployment = self._registrations.get_platform_and_deployment(
            login.platform_id, claimed_id
        )
        now = self._clock()

        def platform_key(kid: str) -> RSAPublicKey | None:
            return find_key(self._keys.key_set(platform.key_set_url, kid=kid), kid)

        def is_replay(verified: UnverifiedToken) -> bool:
            # The mark is written only for a correctly signed token (validate_id_token's order).
            ttl = _mark_ttl(verified.claims, now)
            return not self._cache.add(_replay_key(verified.digest), b"1", ttl)

        message = validate_id_token(  # the launch's one signature check
            token,
            key=platform_key,
            issuer=platform.issuer,
            client_id=platform.client_id,
            nonce=login.nonce,
            now=now,
            is_replay=is_replay,
            leeway=self.config.leeway_seconds,
        )
        return message, platform, (claimed_id, deployment)

    def _reader(
        self, message: LaunchMessage, decision: RoleDecision, error: EtwinLtiError
    ) -> Reader:
        """Who reads the refusal: the person the tool knows (a teacher the LMS calls a learner
        is still a teacher), else what the roles say. Read again only for a refusal, and not
        when the tool's own stores are what failed."""
        pupil_roles = decision.twinspace_role is TwinSpaceRole.PUPIL and not decision.is_tool_admin
        if isinstance(error, RemoteServiceError):
            return Reader.PUPIL if pupil_roles else Reader.ADULT
        known = self._identities.find(LtiIdentity(message.issuer, message.subject))
        if known is not None:
            return Reader.PUPIL if known.kind is PersonKind.PUPIL else Reader.ADULT
        return Reader.PUPIL if pupil_roles else Reader.ADULT

    def _state_used(self, state: str) -> bool:
        return self._cache.get(_state_key(state)) is not None

    def _missing_state(self, state: str) -> EtwinLtiError:
        """Why the login state did not come back, for the page: the launch was replayed (Back
        pressed twice: the first one cleared the cookie), the tool is on plain http (its
        cookies cannot cross sites), or cookies are blocked (then a new window can work)."""
        if state and self._state_used(state):
            return LaunchReplayedError()
        if not cookies_cross_sites(self.config.base_url):
            return ToolNeedsHttpsError()
        error = MissingStateCookieError()
        url = restart_url(self.config.login_url, state, tool_base_url=self.config.base_url)
        if url is not None:
            error.ways_out = (
                WayOut(N_("Open the activity in a new window"), url, new_window=True),
            )
        return error

    def _check_deployment(
        self, platform: Platform, deployment_id: str, looked_up: _DeploymentLookup
    ) -> None:
        claimed_id, deployment = looked_up
        if claimed_id != deployment_id:  # not expected: the verified claim is the same value
            deployment = self._registrations.find_deployment(platform.id, deployment_id)
        if deployment is None:
            self._registrations.record_unknown_deployment(platform.id, deployment_id)
            command = activate_command(platform.id, deployment_id)
            raise UnknownDeploymentError(
                N_(
                    "This deployment (%(deployment)s of %(platform)s) is new to the eTwinning "
                    "tool and was recorded as inactive. The tool administrator activates it "
                    "with: %(command)s"
                ),
                errors={"command": [command]},
                params={
                    "deployment": repr(deployment_id),
                    "platform": platform.name,
                    "command": command,
                },
            )
        if not deployment.active:
            command = activate_command(platform.id, deployment_id)
            raise InactiveDeploymentError(
                N_(
                    "This deployment (%(deployment)s of %(platform)s) is not active yet. The "
                    "tool administrator activates it with: %(command)s"
                ),
                errors={"command": [command]},
                params={
                    "deployment": repr(deployment_id),
                    "platform": platform.name,
                    "command": command,
                },
            )

    # --- provisioning (DESIGN.md "People, audiences and role mapping", "Privacy") -------------
    def _provision(
        self,
        platform: Platform,
        message: LaunchMessage,
        decision: RoleDecision,
        audience: Audience,
        resource: Resource | None,
    ) -> LaunchSession:
        kind = resource.kind if resource else None
        identity = LtiIdentity(message.issuer, message.subject)
        granted = decision.twinspace_role
        known = self._identities.find(identity) if granted is not None else None
        if (
            granted is not None
            and decision.is_tool_admin
            and not self._provisioner.in_roster(platform.id, message.nrps_url, identity)
        ):
            granted = None  # an LMS administrator visiting a course: tool pages only
        # Every refusal (a pupil at a teachers-only resource, a kind that would flip...) is
        # raised here, before anything is written.
        admission = admit(audience, granted, kind, known_kind=known.kind if known else None)
        person_id: int | None = None
        role = admission.shown_role
        if admission.person_kind is not None:
            hub = self._hub
            # A returning person's membership call checks the resource anyway; a new person is
            # created only once the resource is known to exist.
            if known is None or admission.needs_permit:
                self._check_resource(hub, resource, admission)
            if admission.needs_permit:
                self._provisioner.check_permit(hub, resource, known)
            if known is None:
                newcomer = Newcomer(identity, message.deployment_id, message.name, message.email)
                known = self._provisioner.person(hub, newcomer, admission.person_kind)
            person_id = known.person_id
            role = self._join(hub, resource, person_id, admission)
            if known.kind is PersonKind.TEACHER:
                self._adopt_country(hub, person_id, message.custom.get(CUSTOM_COUNTRY))
        return self._open_session(platform, message, decision, resource, person_id, role)

    def _for_user(
        self, message: LaunchMessage, decision: RoleDecision, person_id: int | None
    ) -> tuple[int | None, bool]:
        """Submission Review's learner (``for_user``) as a hub person, and whether the tool has
        never seen them. Only teachers and tool administrators review someone else; for a
        learner the page shows their own work, whoever the claim names."""
        if message.message_type != c.SUBMISSION_REVIEW_REQUEST or not message.for_user_id:
            return None, False
        reviewer = decision.twinspace_role in _DEEP_LINKERS or decision.is_tool_admin
        found = self._identities.find(LtiIdentity(message.issuer, message.for_user_id))
        named = found.person_id if found is not None else None
        if named is not None and named == person_id:
            return named, False
        if not reviewer:
            return None, False
        return named, named is None

    def _check_resource(
        self, hub: HubPort, resource: Resource | None, admission: Admission
    ) -> None:
        """The resource must exist before anyone is created for it."""
        if resource is None:
            return
        if resource.kind is ResourceKind.TWINSPACE:
            space = hub.get_twinspace(resource.id)
            if admission.twinspace_role is TwinSpaceRole.GUEST and space.has_pupils:
                raise PermissionDeniedError(
                    N_("Mentors and other guests cannot enter a TwinSpace where pupils work."),
                    who_can_fix=N_("a teacher administrator of this TwinSpace"),
                    pupil_fixer=PupilFixer.AS_SAID,
                )
        elif resource.kind is ResourceKind.EVENT:
            hub.get_event(resource.id)
        else:
            hub.get_unit(resource.id)

    def _adopt_country(self, hub: HubPort, person_id: int, offered: str | None) -> None:
        """A teacher's country is needed only to found, join or apply for a label; the LMS may
        offer it (custom ``etwin_country``). It fills an empty country and never overwrites
        one: what the teacher set wins, and a founder's country no longer changes. A value the
        hub refuses (an unsubstituted ``$Person.address.country``, a country that left
        eTwinning) is ignored: the teacher still enters and is asked for a country only where
        eTwinning needs one."""
        code = (offered or "").strip()
        if not code:
            return
        person = hub.get_person(person_id)
        if person.kind is not PersonKind.TEACHER or person.country_code is not None:
            return
        try:
            hub.set_person_country(person_id, person_id, code)
        except InvalidInputError:
            return

    def _join(
        self, hub: HubPort, resource: Resource | None, person_id: int, admission: Admission
    ) -> str:
        """Membership is created or updated on every launch; a manual decision wins."""
        assert admission.twinspace_role is not None
        role = admission.shown_role
        if resource is None:
            return role
        if resource.kind is ResourceKind.TWINSPACE:
            member = hub.sync_member(resource.id, person_id, admission.twinspace_role)
            if member.status is MemberStatus.SUSPENDED:
                raise MembershipSuspendedError()
            return member.role.value
        if resource.kind is ResourceKind.EVENT:
            event = hub.get_event(resource.id)
            is_expert = person_id == event.expert_id
            enrolled = person_id in {e.person_id for e in hub.list_enrolments(resource.id)}
            if role == "participant" and not (enrolled or is_expert):
                try:  # a learner of a teacher-training course takes part...
                    hub.enrol(resource.id, person_id)
                    enrolled = True
                except RuleViolationError:
                    pass  # ...unless it is full or over: the page says so
            return event_role(role, is_expert=is_expert, enrolled=enrolled)
        edition = hub.get_edition(hub.get_unit(resource.id).edition_id)
        is_trainer = person_id in edition.trainer_ids
        if role == "trainee" and not is_trainer:
            hub.enrol_trainee(edition.id, person_id)
            is_trainee = True
        else:
            is_trainee = person_id in {p.id for p in hub.list_trainees(edition.id)}
        return unit_role(role, is_edition_trainer=is_trainer, is_trainee=is_trainee)

    def _open_session(
        self,
        platform: Platform,
        message: LaunchMessage,
        decision: RoleDecision,
        resource: Resource | None,
        person_id: int | None,
        role: str,
    ) -> LaunchSession:
        now = self._clock()
        for_user_id, for_user_unknown = self._for_user(message, decision, person_id)
        ags = message.ags_endpoint or {}
        scopes = ags.get("scope")
        session = LaunchSession(
            id=self._token(),
            person_id=person_id,
            platform_id=platform.id,
            deployment_id=message.deployment_id,
            context_id=message.context_id,
            context_title=message.context_title,
            resource_link_id=message.resource_link_id,
            resource=resource,
            role=role,
            lti_roles=message.roles,
            is_tool_admin=decision.is_tool_admin,
            message_type=message.message_type,
            created_at=now,
            expires_at=now + timedelta(seconds=self.config.session_seconds),
            endpoints=ServiceEndpoints(
                lineitems_url=_str(ags.get("lineitems")),
                lineitem_url=_str(ags.get("lineitem")),
                ags_scopes=tuple(s for s in scopes if isinstance(s, str))
                if isinstance(scopes, list)
                else (),
                nrps_url=message.nrps_url,
            ),
            return_url=message.return_url,
            locale=message.locale[:64] if message.locale else None,
            deep_linking=dict(message.deep_linking) if message.deep_linking else None,
            for_user_id=for_user_id,
            for_user_unknown=for_user_unknown,
        )
        # The resource link (scores and roster syncs need it later) is recorded in the
        # session's own transaction: a launch commits once.
        self._sessions.create(
            session,
            record_link=self._record_links and message.message_type == c.RESOURCE_LINK_REQUEST,
        )
        return session

    # --- after the launch ---------------------------------------------------------------------
    def load_session(self, session_id: str) -> LaunchSession:
        session = self._sessions.get(session_id, now=self._clock()) if session_id else None
        if session is None:
            raise LaunchSessionError()
        return session


# (the deployment id the unverified token claimed, the deployment stored under it)
_DeploymentLookup = tuple[str, Deployment | None]


def _state_key(state: str) -> str:
    return "lti-login:" + hashlib.sha256(state.encode()).hexdigest()


def _replay_key(digest: str) -> str:
    return "lti-token:" + digest


def _mark_ttl(claims: Mapping[str, object], now: datetime) -> int:
    """Remember a token at least until it expires (plus leeway), at most a day."""
    exp = claims.get(c.EXP)
    remaining = int(exp - now.timestamp()) if isinstance(exp, int | float) else 0
    return max(300, min(remaining + 300, MAX_REPLAY_MARK_SECONDS))


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
