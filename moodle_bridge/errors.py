"""Moodle's web-service failures, translated into our exception tree.

Moodle answers most failures with HTTP 200 and a JSON body
``{"exception": "...", "errorcode": "...", "message": "..."}`` (``webservice/rest/server.php``
in REST mode with ``moodlewsrestformat=json``). The client maps ``errorcode`` to the classes
below so that callers can tell "skip this course" from "the token is wrong".

    RemoteServiceError (etwin_lti.errors)
    └── MoodleWebServiceError            any Moodle error body; carries ``errorcode``
        ├── MoodleInvalidTokenError      invalidtoken
        ├── MoodleAccessDeniedError      accessexception, nopermissions, cannotviewreport...
        ├── MoodleInvalidParameterError  invalidparameter
        ├── MoodleRecordNotFoundError    invalidrecord (unknown course, user or function)
        ├── MoodleNoCriteriaError        nocriteriaset (course without completion criteria)
        ├── MoodleCompletionDisabledError completionnotenabled
        ├── MoodleUserNotEnrolledError   notenroled, usernotenroled, nottracked
        └── MoodleUserDeletedError       userdeleted
    RemoteServiceError
    └── MoodleProtocolError              not JSON, an HTML login page, an unexpected shape
    RemoteTimeoutError                   (used as is for timeouts)
"""

from __future__ import annotations

from etwin_lti.domain.translatable import N_
from etwin_lti.errors import PupilFixer, RemoteServiceError


class MoodleWebServiceError(RemoteServiceError):
    error = "moodle_error"
    description = N_("Moodle refused the web-service call.")
    who_can_fix = N_("the Moodle administrator")

    def __init__(self, description: str | None = None, *, errorcode: str = "") -> None:
        super().__init__(description)
        self.errorcode = errorcode


class MoodleInvalidTokenError(MoodleWebServiceError):
    error = "moodle_invalid_token"
    description = N_("Moodle does not accept the web-service token.")
    who_can_fix = N_("the Moodle administrator (create a new token, then etwin-lti moodle add)")


class MoodleAccessDeniedError(MoodleWebServiceError):
    error = "moodle_access_denied"
    description = N_(
        "The Moodle web-service user lacks a capability or the function is not enabled "
        "in the external service."
    )
    who_can_fix = N_("the Moodle administrator (see docs/moodle-bridge.md, token setup)")


class MoodleInvalidParameterError(MoodleWebServiceError):
    error = "moodle_invalid_parameter"
    description = N_("Moodle rejected a parameter of the web-service call.")


class MoodleRecordNotFoundError(MoodleWebServiceError):
    error = "moodle_not_found"
    description = N_("Moodle does not know that course, user or function.")


class MoodleNoCriteriaError(MoodleWebServiceError):
    error = "moodle_no_criteria"
    description = N_("The Moodle course has no completion criteria set.")
    who_can_fix = N_("the course teacher (Course completion settings in Moodle)")
    pupil_fixer = PupilFixer.AS_SAID


class MoodleCompletionDisabledError(MoodleWebServiceError):
    error = "moodle_completion_disabled"
    description = N_("Completion tracking is not enabled for this Moodle course.")
    who_can_fix = N_("the course teacher (enable completion tracking in Moodle)")
    pupil_fixer = PupilFixer.AS_SAID


class MoodleUserNotEnrolledError(MoodleWebServiceError):
    error = "moodle_user_not_enrolled"
    description = N_("The Moodle user is not enrolled or not tracked for completion in the course.")


class MoodleUserDeletedError(MoodleWebServiceError):
    error = "moodle_user_deleted"
    description = N_("The Moodle user has been deleted.")


class MoodleProtocolError(RemoteServiceError):
    error = "moodle_protocol_error"
    description = N_(
        "Moodle answered something that is not a web-service response (an HTML page or "
        "invalid JSON): check the site URL and that web services and REST are enabled."
    )
    who_can_fix = N_(
        "the tool administrator (check the Moodle site URL) or the Moodle administrator"
    )


# errorcode → class. Codes come from Moodle's lang strings used by the external functions we
# call (completion/classes/external.php, webservice/lib.php, lib/setuplib.php).
ERRORCODES: dict[str, type[MoodleWebServiceError]] = {
    "invalidtoken": MoodleInvalidTokenError,
    "accessexception": MoodleAccessDeniedError,
    "nopermissions": MoodleAccessDeniedError,
    "cannotviewreport": MoodleAccessDeniedError,
    "accessdenied": MoodleAccessDeniedError,
    "requireloginerror": MoodleAccessDeniedError,
    "servicerequireslogin": MoodleAccessDeniedError,
    "invalidparameter": MoodleInvalidParameterError,
    "invalidrecord": MoodleRecordNotFoundError,
    "nocriteriaset": MoodleNoCriteriaError,
    "completionnotenabled": MoodleCompletionDisabledError,
    "notenroled": MoodleUserNotEnrolledError,
    "usernotenroled": MoodleUserNotEnrolledError,
    "nottracked": MoodleUserNotEnrolledError,
    "userdeleted": MoodleUserDeletedError,
}


def error_from_body(body: dict[str, object]) -> MoodleWebServiceError:
    """The typed error for a Moodle error body. Moodle's message is safe to show (it never
    contains the token); ``debuginfo`` is left out because it may hold SQL or paths."""
    errorcode = str(body.get("errorcode") or "")
    message = str(body.get("message") or "").strip()
    cls = ERRORCODES.get(errorcode, MoodleWebServiceError)
    description = f"{cls.description} (Moodle: {errorcode}: {message})" if message else None
    return cls(description, errorcode=errorcode)
