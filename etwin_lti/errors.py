"""One exception tree for the whole tool.

Every error we raise on purpose is an ``EtwinLtiError``. Each class carries ``error`` (a stable
machine code), ``description`` (safe to show to any user, never a secret or a token),
``status_code`` (the HTTP status it becomes) and ``who_can_fix`` (whom the error page sends the
user to). Mapping to HTTP happens in exactly one place, ``etwin_lti.web.errors``: an HTML page
inside the LMS iframe, or JSON ``{"code", "message", "errors"}`` for the REST API.

Third-party errors (PyJWT, requests, SQLAlchemy, Moodle error bodies) are translated at the
adapter that meets them, with ``raise ... from``.

The page is written for its reader (issue 13): whoever knows who will read it (the launch, which
has mapped the roles; the page, from the launch session) sets ``reader``. A pupil reads
``pupil_description`` when the class has one, and is sent to their teacher for anything only an
adult can fix. ``ways_out`` are the links the page offers (back to the activity, a new window).

    EtwinLtiError
    ├── InvalidInputError            422  malformed or unknown fields; ``errors`` is the field map
    │   ├── UploadRefusedError            a file of a type, content or shape not accepted
    │   └── FileTooLargeError        413  a file over its size limit
    ├── AuthenticationError          401  API token missing, unknown or revoked
    ├── PermissionDeniedError        403  the actor's role does not allow this
    ├── NotFoundError                404
    ├── RuleViolationError           409  an eTwinning rule or a state conflict
    │   ├── DuplicateAcknowledgementError
    │   └── QuotaExceededError            the TwinSpace's file quota would be exceeded
    ├── LtiError                     400  anything wrong with an LTI message
    │   ├── UnknownPlatformError
    │   ├── InactiveDeploymentError  403
    │   ├── InvalidLaunchError       401  signature, claims, nonce, state, replay
    │   ├── LaunchSessionError       401  no or expired launch session
    │   └── RegistrationError             dynamic or manual registration refused
    ├── RemoteServiceError           502  a platform, remote hub or Moodle failed
    │   ├── RemoteTimeoutError       504
    │   └── DependencyUnavailableError 503  the tool's own database or Redis is down
    └── ConfigurationError           500  refused at start-up, never during a request
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from etwin_lti.domain.translatable import N_


class Reader(enum.StrEnum):
    """Who reads an error page: its words and the person it sends them to depend on it."""

    PUPIL = "pupil"
    ADULT = "adult"  # teachers, visitors, administrators, or nobody known yet


class PupilFixer(enum.Enum):
    """Whom an error page sends a pupil to. Each error class says it (``pupil_fixer``), so the
    choice holds in every language, never read off the English words of ``who_can_fix``."""

    TEACHER = "teacher"  # only an adult they may not know can fix it: "your teacher"
    AS_SAID = "as_said"  # ``who_can_fix`` names the pupil themselves or someone they know


@dataclass(frozen=True)
class WayOut:
    """A link the error page offers: back to the activity or the course, or a new window."""

    label: str
    url: str
    new_window: bool = False


class EtwinLtiError(Exception):
    """Root of every error the tool raises on purpose."""

    error = "etwin_error"
    description = N_("Something went wrong.")
    status_code = 400
    who_can_fix = N_("the tool administrator")
    pupil_description: str | None = None  # the same news in a pupil's words, when different
    # Whether a pupil reads ``who_can_fix`` as it is (it names them, their teacher, an author)
    # or is sent to their teacher (an administrator, an NSO, a "you" that means an adult).
    pupil_fixer = PupilFixer.TEACHER
    # The language of whoever met the error, when known before any session exists: a verified
    # launch's locale claim (the launch service sets it), so that its refusal reads like the pages.
    locale: str | None = None

    def __init__(
        self,
        description: str | None = None,
        *,
        errors: Mapping[str, Any] | None = None,
        who_can_fix: str | None = None,
        params: Mapping[str, Any] | None = None,
        pupil_fixer: PupilFixer | None = None,
    ) -> None:
        if description is not None:
            self.description = description
        if who_can_fix is not None:
            self.who_can_fix = who_can_fix
            # Someone else than the class names: a pupil goes to their teacher unless told.
            self.pupil_fixer = PupilFixer.TEACHER
        if pupil_fixer is not None:
            self.pupil_fixer = pupil_fixer
        self.errors: dict[str, Any] = dict(errors or {})
        # A description with values is written ``N_("TwinSpace %(id)s does not exist.")`` plus
        # ``params``: ``message`` keeps the text to translate, ``description`` reads it filled in
        # (English: logs and the API), and the error page fills the translation (ADR 0029).
        self.message = self.description
        self.params: dict[str, Any] = dict(params or {})
        if self.params:
            self.description = self.message % self.params
        self.reader: Reader | None = None
        self.ways_out: tuple[WayOut, ...] = ()
        super().__init__(self.description)

    def words_for(self, reader: Reader | None) -> tuple[str, str]:
        """(description, who can fix it) for this reader. A pupil can open the activity again,
        correct what they typed, or ask a teacher or an author the page names (``pupil_fixer``
        is ``AS_SAID``); for anything else (administrators, a "you" that means an adult) they are
        sent to their teacher."""
        if reader is not Reader.PUPIL:
            return self.description, self.who_can_fix
        who = self.who_can_fix
        if self.pupil_fixer is not PupilFixer.AS_SAID:
            who = N_("your teacher")
        return self._pupil_words() or self.description, who

    def _pupil_words(self) -> str | None:
        """``pupil_description``, unless a more specific description replaced the one it
        retells (a subclass's, or this error's own): then the description is the news."""
        if "description" in vars(self):
            return None
        for klass in type(self).__mro__:
            if "pupil_description" in vars(klass):
                return str(vars(klass)["pupil_description"])
            if "description" in vars(klass):
                return None
        return None

    def to_dict(self) -> dict[str, Any]:
        """The JSON body of the REST API's error responses."""
        body: dict[str, Any] = {"code": self.error, "message": self.description}
        if self.errors:
            body["errors"] = self.errors
        return body


class InvalidInputError(EtwinLtiError, ValueError):
    error = "invalid_input"
    description = N_("Some fields are missing or not valid.")
    status_code = 422
    who_can_fix = N_("you")
    pupil_fixer = PupilFixer.AS_SAID  # what they typed


class AuthenticationError(EtwinLtiError):
    error = "unauthenticated"
    description = N_("A valid API token is required.")
    status_code = 401
    who_can_fix = N_("you")


class PermissionDeniedError(EtwinLtiError):
    error = "forbidden"
    description = N_("Your role does not allow this.")
    pupil_description = N_("You cannot do this here. Ask your teacher if you think you should.")
    status_code = 403
    who_can_fix = N_("a teacher administrator of this TwinSpace")
    pupil_fixer = PupilFixer.AS_SAID


class NotFoundError(EtwinLtiError, LookupError):
    error = "not_found"
    description = N_("That does not exist.")
    pupil_description = N_("This page is not here (any more).")
    status_code = 404
    who_can_fix = N_("you")


class RuleViolationError(EtwinLtiError):
    error = "rule_violation"
    description = N_("This conflicts with an eTwinning rule.")
    status_code = 409
    who_can_fix = N_("you")


class DuplicateAcknowledgementError(RuleViolationError):
    error = "duplicate_acknowledgement"
    description = N_("This acknowledgement has already been issued.")


class LtiError(EtwinLtiError):
    error = "lti_error"
    description = N_("The LTI message could not be accepted.")
    status_code = 400
    who_can_fix = N_("your LMS administrator")


class UnknownPlatformError(LtiError):
    error = "unknown_platform"
    description = N_("This LMS is not registered with the eTwinning tool.")
    who_can_fix = N_("your LMS administrator (register the tool, see the README's Moodle section)")


class InactiveDeploymentError(LtiError):
    error = "inactive_deployment"
    description = N_("This deployment of the eTwinning tool is not active yet.")
    status_code = 403
    who_can_fix = N_("the tool administrator (etwin-lti platform activate)")


class InvalidLaunchError(LtiError):
    error = "invalid_launch"
    description = N_("The launch from your LMS could not be verified.")
    pupil_description = N_("The activity could not open. Open it again from your course.")
    status_code = 401
    who_can_fix = N_("you: go back to your course and open the activity again")
    pupil_fixer = PupilFixer.AS_SAID


class LaunchSessionError(LtiError):
    error = "no_launch_session"
    description = N_("Your session has ended or was never started.")
    pupil_description = N_(
        "You have been away for a while. Open the activity again from your course."
    )
    status_code = 401
    who_can_fix = N_("you: open the activity again from your course")
    pupil_fixer = PupilFixer.AS_SAID


class RegistrationError(LtiError):
    error = "registration_refused"
    description = N_("The registration request was refused.")
    who_can_fix = N_("the tool administrator (etwin-lti platform invite)")


class RemoteServiceError(EtwinLtiError):
    error = "remote_service_error"
    description = N_("A service the tool depends on did not answer correctly.")
    pupil_description = N_("Something is not working right now. Try again later.")
    status_code = 502
    who_can_fix = N_("the tool administrator")


class RemoteTimeoutError(RemoteServiceError):
    error = "remote_timeout"
    description = N_("A service the tool depends on did not answer in time.")
    status_code = 504


class DependencyUnavailableError(RemoteServiceError):
    """The tool's own database, cache or queue is unreachable: try again in a moment."""

    error = "dependency_unavailable"
    description = N_(
        "The tool cannot reach its database or cache right now; try again in a minute."
    )
    status_code = 503


class ConfigurationError(EtwinLtiError, ValueError):
    error = "configuration_error"
    description = N_("The tool is not configured correctly.")
    status_code = 500


class UploadRefusedError(InvalidInputError):
    """A file whose content is not an accepted type, or is broken or hostile (issue 12)."""

    error = "upload_refused"
    description = N_("This file cannot be uploaded.")


class FileTooLargeError(InvalidInputError):
    error = "file_too_large"
    description = N_("This file is larger than allowed.")
    status_code = 413


class QuotaExceededError(RuleViolationError):
    error = "quota_exceeded"
    description = N_("This TwinSpace has no room left for this file.")
    who_can_fix = N_("a teacher administrator of this TwinSpace (remove files no longer needed)")
    pupil_fixer = PupilFixer.AS_SAID
