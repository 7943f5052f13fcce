"""Leaf errors of the LTI protocol core, one per rule, under ``etwin_lti.errors``.

Each says, in words an LMS user or administrator can act on, what failed (``description``) and
who can fix it (``who_can_fix``). Descriptions never contain a token, a key or a nonce.

    LtiError (400)
    ├── InvalidLoginError                login initiation without a required parameter
    ├── UnknownPlatformError
    │   ├── UnknownIssuerError           no platform registered for this iss
    │   └── UnknownClientIdError         the issuer is known, this client_id is not
    ├── InactiveDeploymentError (403)
    │   └── UnknownDeploymentError       first seen now, recorded inactive
    ├── UnmappedRoleError (403)          no or only unknown LTI roles
    ├── MissingResourceError             resource link without etwin_resource
    └── InvalidLaunchError (401)
        ├── MissingStateCookieError      browser did not send the login cookie
        │   └── ToolNeedsHttpsError      ...because the tool runs on plain http (not loopback)
        ├── ForeignLoginStateError       login state from platform storage, posted by another site
        ├── StateMismatchError           form state differs from the cookie
        ├── LoginStateExpiredError       login state unknown or expired
        │   └── LaunchReplayedError      this launch's state was already used (Back, reload)
        ├── OversizeTokenError
        ├── MalformedTokenError          not a compact JWS, or header/claims not JSON objects
        ├── AlgorithmNotAllowedError     alg other than RS256 (none, HS256, ...)
        ├── MissingKeyIdError
        ├── UnknownKeyError              kid not in the platform's key set, even after refetch
        ├── InvalidSignatureError
        ├── IssuerMismatchError
        ├── AudienceMismatchError
        ├── AuthorizedPartyError         several audiences and azp missing or not us
        ├── TokenExpiredError
        ├── TokenIssuedInFutureError
        ├── NonceMismatchError           nonce differs from the one bound to this browser
        ├── TokenReplayError             this id_token was already used
        ├── MissingClaimError            a required claim is missing or has the wrong type
        ├── UnsupportedMessageTypeError
        └── UnsupportedVersionError
    RemoteServiceError (502)
    └── PlatformKeysUnavailableError     JWKS fetch failed and no cached keys
"""

from __future__ import annotations

from etwin_lti.domain.translatable import N_
from etwin_lti.errors import (
    InactiveDeploymentError,
    InvalidLaunchError,
    LtiError,
    PupilFixer,
    RemoteServiceError,
    UnknownPlatformError,
)

_RELAUNCH = N_("you: go back to your course and open the activity again")
_LMS_ADMIN = N_("your LMS administrator")
_PLATFORM_BUG = N_("your LMS administrator (the LMS sent a message that breaks the LTI 1.3 rules)")


class InvalidLoginError(LtiError):
    error = "invalid_login"
    description = N_("The LMS started the login without a required parameter.")
    who_can_fix = _LMS_ADMIN


class UnknownIssuerError(UnknownPlatformError):
    error = "unknown_issuer"
    description = N_("This LMS (issuer) is not registered with the eTwinning tool.")


class UnknownClientIdError(UnknownPlatformError):
    error = "unknown_client_id"
    description = N_("This LMS is registered, but not with this client id.")


class UnknownDeploymentError(InactiveDeploymentError):
    error = "unknown_deployment"
    description = N_("This deployment of the eTwinning tool is new and not active yet.")


class UnmappedRoleError(LtiError):
    error = "unmapped_role"
    description = N_("Your role in this course does not give access to eTwinning.")
    status_code = 403
    who_can_fix = N_("your teacher or LMS administrator (give you a course role such as Learner)")
    pupil_fixer = PupilFixer.AS_SAID


class MissingResourceError(LtiError):
    error = "missing_resource"
    description = N_("This activity is not linked to an eTwinning TwinSpace, event or unit.")
    who_can_fix = N_("your teacher (edit the activity and pick an eTwinning resource)")
    pupil_fixer = PupilFixer.AS_SAID


class MissingStateCookieError(InvalidLaunchError):
    error = "missing_state_cookie"
    description = N_(
        "Your browser did not send back the login cookie (cookies may be blocked for this site)."
    )
    pupil_description = N_(
        "The activity cannot open inside the page. Open it in a new window, or ask your teacher."
    )
    who_can_fix = N_("you: open the activity in a new window, or allow cookies for this site")


class ToolNeedsHttpsError(MissingStateCookieError):
    """On plain http (not loopback) the cookies are ``SameSite=Lax``: a launch from an LMS on
    another site never brings them back, whatever the user allows."""

    error = "tool_needs_https"
    description = N_(
        "This eTwinning tool is served over plain http, so your browser cannot keep the login "
        "when the activity opens from your LMS. The tool needs https."
    )
    pupil_description = N_("The activity cannot open here. Your teacher can tell the school.")
    who_can_fix = N_("the tool administrator (serve the tool over https)")
    pupil_fixer = PupilFixer.TEACHER


class ForeignLoginStateError(InvalidLaunchError):
    """The login state read from the LMS's storage comes back only from the tool's own launch
    page: the same post from another site would be a forged login."""

    error = "foreign_login_state"
    description = N_("The launch was sent from a page that is not the eTwinning tool's.")
    who_can_fix = _RELAUNCH


class LaunchAddressOpenedDirectlyError(InvalidLaunchError):
    """``/lti/launch`` only receives the LMS's form post; a bookmark or reload lands here."""

    error = "launch_opened_directly"
    description = N_("This address only opens an activity when your LMS sends you here.")
    status_code = 405
    who_can_fix = N_("you: open the activity again from your course")


class StateMismatchError(InvalidLaunchError):
    error = "state_mismatch"
    description = N_("The launch does not belong to the login this browser started.")
    who_can_fix = _RELAUNCH


class LoginStateExpiredError(InvalidLaunchError):
    error = "login_state_expired"
    description = N_("This launch took too long to arrive.")
    who_can_fix = _RELAUNCH


class LaunchReplayedError(LoginStateExpiredError):
    """Back pressed twice inside the frame posts the same launch again: the cookies were fine."""

    error = "launch_replayed"
    description = N_("This launch was already used.")
    pupil_description = N_(
        "This page was already opened. Open the activity again from your course."
    )
    who_can_fix = N_("you: open the activity again from your course")


class OversizeTokenError(InvalidLaunchError):
    error = "oversize_token"
    description = N_("The launch message is too large to be accepted.")
    who_can_fix = _PLATFORM_BUG
    pupil_fixer = PupilFixer.TEACHER


class MalformedTokenError(InvalidLaunchError):
    error = "malformed_token"
    description = N_("The launch message (id_token) is not a well-formed signed JSON token.")
    who_can_fix = _PLATFORM_BUG
    pupil_fixer = PupilFixer.TEACHER


class AlgorithmNotAllowedError(InvalidLaunchError):
    error = "algorithm_not_allowed"
    description = N_("The launch is not signed with RS256, the only algorithm LTI 1.3 allows here.")
    who_can_fix = _PLATFORM_BUG
    pupil_fixer = PupilFixer.TEACHER


class MissingKeyIdError(InvalidLaunchError):
    error = "missing_kid"
    description = N_("The launch does not say which platform key signed it (no kid).")
    who_can_fix = _PLATFORM_BUG
    pupil_fixer = PupilFixer.TEACHER


class UnknownKeyError(InvalidLaunchError):
    error = "unknown_kid"
    description = N_("The launch was signed with a key the LMS does not publish in its key set.")
    who_can_fix = N_("your LMS administrator (check the platform's public keyset URL)")
    pupil_fixer = PupilFixer.TEACHER


class InvalidSignatureError(InvalidLaunchError):
    error = "invalid_signature"
    description = N_("The launch's signature does not match the LMS's public key.")
    who_can_fix = N_("your LMS administrator (check the platform's public keyset URL)")
    pupil_fixer = PupilFixer.TEACHER


class IssuerMismatchError(InvalidLaunchError):
    error = "issuer_mismatch"
    description = N_("The launch comes from another LMS (issuer) than the login.")
    who_can_fix = _LMS_ADMIN
    pupil_fixer = PupilFixer.TEACHER


class AudienceMismatchError(InvalidLaunchError):
    error = "audience_mismatch"
    description = N_("The launch was not addressed to this tool (our client id is not in aud).")
    who_can_fix = N_("your LMS administrator (check the tool's client id)")
    pupil_fixer = PupilFixer.TEACHER


class AuthorizedPartyError(InvalidLaunchError):
    error = "azp_mismatch"
    description = N_(
        "The launch names several audiences, and its azp is not this tool's client id."
    )
    who_can_fix = _PLATFORM_BUG
    pupil_fixer = PupilFixer.TEACHER


class TokenExpiredError(InvalidLaunchError):
    error = "token_expired"
    description = N_("The launch has expired (or the LMS clock is wrong).")
    who_can_fix = N_("you: open the activity again; if it keeps failing, your LMS administrator")


class TokenIssuedInFutureError(InvalidLaunchError):
    error = "token_issued_in_future"
    description = N_("The launch claims to be issued in the future (the LMS clock is wrong).")
    who_can_fix = N_("your LMS administrator (synchronise the server clock)")
    pupil_fixer = PupilFixer.TEACHER


class NonceMismatchError(InvalidLaunchError):
    error = "nonce_mismatch"
    description = N_("The launch does not carry the one-time code of this browser's login.")
    who_can_fix = _RELAUNCH


class TokenReplayError(InvalidLaunchError):
    error = "token_replay"
    description = N_("This launch was already used once and cannot be used again.")
    who_can_fix = _RELAUNCH


class MissingClaimError(InvalidLaunchError):
    error = "missing_claim"
    description = N_("The launch lacks a value LTI 1.3 requires.")
    who_can_fix = _PLATFORM_BUG
    pupil_fixer = PupilFixer.TEACHER

    def __init__(self, claim: str, problem: str = "is missing") -> None:
        short = claim.rsplit("/", 1)[-1]
        # A whole sentence per case (translated as one); the problem's detail stays in
        # ``errors``, for the LMS administrator and the logs.
        sentence = (
            N_("The launch's '%(claim)s' claim is missing.")
            if problem == "is missing"
            else N_("The launch's '%(claim)s' claim is not valid.")
        )
        super().__init__(sentence, errors={claim: [problem]}, params={"claim": short})
        self.claim = claim


class UnsupportedMessageTypeError(InvalidLaunchError):
    error = "unsupported_message_type"
    description = N_(
        "The LMS sent a kind of LTI message this tool does not handle "
        "(resource link, deep linking and submission review are supported)."
    )
    who_can_fix = _LMS_ADMIN
    pupil_fixer = PupilFixer.TEACHER


class UnsupportedVersionError(InvalidLaunchError):
    error = "unsupported_version"
    description = N_("The launch is not LTI version 1.3.0.")
    who_can_fix = _LMS_ADMIN
    pupil_fixer = PupilFixer.TEACHER


class PlatformKeysUnavailableError(RemoteServiceError):
    error = "platform_keys_unavailable"
    description = N_(
        "The LMS's public key set could not be fetched, so the launch cannot be checked."
    )
    who_can_fix = N_("your LMS administrator (the platform's keyset URL must be reachable)")
