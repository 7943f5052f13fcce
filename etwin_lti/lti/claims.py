"""Every LTI 1.3 claim, scope and message-type URI the tool reads or writes, as named constants.

Sources (1EdTech):
- LTI Core 1.3: https://www.imsglobal.org/spec/lti/v1p3/ (section 5 "Resource link launch request
  message", 5.3 required claims, 5.4 optional claims, A.2 role vocabularies)
- Security Framework 1.0: https://www.imsglobal.org/spec/security/v1p0/ (5.1.2 id_token)
- Deep Linking 2.0: https://www.imsglobal.org/spec/lti-dl/v2p0/ (4.4 deep_linking_settings)
- Submission Review 1.0: https://www.imsglobal.org/spec/lti-sr/v1p0/ (for_user claim)
- Names and Role Provisioning 2.0: https://www.imsglobal.org/spec/lti-nrps/v2p0/
- Assignment and Grade Services 2.0: https://www.imsglobal.org/spec/lti-ags/v2p0/
"""

from __future__ import annotations

from typing import Final

LTI: Final = "https://purl.imsglobal.org/spec/lti/claim/"

# --- LTI Core 1.3, section 5.3: required claims ------------------------------------------------
# https://www.imsglobal.org/spec/lti/v1p3/#message-type-claim
MESSAGE_TYPE: Final = LTI + "message_type"
# https://www.imsglobal.org/spec/lti/v1p3/#lti-version-claim
VERSION: Final = LTI + "version"
# https://www.imsglobal.org/spec/lti/v1p3/#lti-deployment-id-claim
DEPLOYMENT_ID: Final = LTI + "deployment_id"
# https://www.imsglobal.org/spec/lti/v1p3/#target-link-uri
TARGET_LINK_URI: Final = LTI + "target_link_uri"
# https://www.imsglobal.org/spec/lti/v1p3/#resource-link-claim
RESOURCE_LINK: Final = LTI + "resource_link"
# https://www.imsglobal.org/spec/lti/v1p3/#roles-claim
ROLES: Final = LTI + "roles"

# --- LTI Core 1.3, section 5.4: optional claims ------------------------------------------------
# https://www.imsglobal.org/spec/lti/v1p3/#context-claim
CONTEXT: Final = LTI + "context"
# https://www.imsglobal.org/spec/lti/v1p3/#platform-instance-claim
TOOL_PLATFORM: Final = LTI + "tool_platform"
# https://www.imsglobal.org/spec/lti/v1p3/#role-scope-mentor-claim
ROLE_SCOPE_MENTOR: Final = LTI + "role_scope_mentor"
# https://www.imsglobal.org/spec/lti/v1p3/#launch-presentation-claim
LAUNCH_PRESENTATION: Final = LTI + "launch_presentation"
# https://www.imsglobal.org/spec/lti/v1p3/#learning-information-services-lis-claim
# (carries lis_person_sourcedid: never stored, see DESIGN.md "Privacy")
LIS: Final = LTI + "lis"
# https://www.imsglobal.org/spec/lti/v1p3/#custom-properties-and-variable-substitution
CUSTOM: Final = LTI + "custom"
# https://www.imsglobal.org/spec/lti-sr/v1p0/#for_user-claim
FOR_USER: Final = LTI + "for_user"

# --- LTI Advantage service claims ---------------------------------------------------------------
# https://www.imsglobal.org/spec/lti-dl/v2p0/#deep-linking-settings
DEEP_LINKING_SETTINGS: Final = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
# Deep Linking 2.0, section 4.5 "Deep linking response message" (the claims the tool sends back)
# https://www.imsglobal.org/spec/lti-dl/v2p0/#deep-linking-response-message
DL: Final = "https://purl.imsglobal.org/spec/lti-dl/claim/"
DL_CONTENT_ITEMS: Final = DL + "content_items"
DL_DATA: Final = DL + "data"
DL_MSG: Final = DL + "msg"
DL_LOG: Final = DL + "log"
DL_ERRORMSG: Final = DL + "errormsg"
DL_ERRORLOG: Final = DL + "errorlog"
# https://www.imsglobal.org/spec/lti-nrps/v2p0/#lti-1-3-integration
NAMES_ROLE_SERVICE: Final = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
# https://www.imsglobal.org/spec/lti-ags/v2p0/#assignment-and-grade-service-claim
AGS_ENDPOINT: Final = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

# --- OpenID Connect / Security Framework 5.1.2 id_token claims ----------------------------------
# https://www.imsglobal.org/spec/security/v1p0/#id-token
ISS: Final = "iss"
SUB: Final = "sub"
AUD: Final = "aud"
AZP: Final = "azp"
EXP: Final = "exp"
IAT: Final = "iat"
NONCE: Final = "nonce"
JTI: Final = "jti"
NAME: Final = "name"
GIVEN_NAME: Final = "given_name"
FAMILY_NAME: Final = "family_name"
EMAIL: Final = "email"

# --- Message types and version ------------------------------------------------------------------
# https://www.imsglobal.org/spec/lti/v1p3/#message-type-claim
LTI_VERSION: Final = "1.3.0"
RESOURCE_LINK_REQUEST: Final = "LtiResourceLinkRequest"
# https://www.imsglobal.org/spec/lti-dl/v2p0/#deep-linking-request-message
DEEP_LINKING_REQUEST: Final = "LtiDeepLinkingRequest"
# https://www.imsglobal.org/spec/lti-dl/v2p0/#deep-linking-response-message
DEEP_LINKING_RESPONSE: Final = "LtiDeepLinkingResponse"
# https://www.imsglobal.org/spec/lti-dl/v2p0/#lti-resource-link
LTI_RESOURCE_LINK_ITEM: Final = "ltiResourceLink"
# https://www.imsglobal.org/spec/lti-sr/v1p0/#submission-review-request-message
SUBMISSION_REVIEW_REQUEST: Final = "LtiSubmissionReviewRequest"
MESSAGE_TYPES: Final = frozenset(
    {RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST, SUBMISSION_REVIEW_REQUEST}
)

# --- Scopes (for dynamic registration and service calls) ----------------------------------------
# https://www.imsglobal.org/spec/lti-nrps/v2p0/#scope-and-allowed-http-methods
SCOPE_NRPS: Final = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
# https://www.imsglobal.org/spec/lti-ags/v2p0/#scope-and-allowed-http-methods
SCOPE_AGS_LINEITEM: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_AGS_LINEITEM_READONLY: Final = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
)
SCOPE_AGS_RESULT_READONLY: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_AGS_SCORE: Final = "https://purl.imsglobal.org/spec/lti-ags/scope/score"

# --- Role vocabularies, LTI Core 1.3 appendix A.2 -----------------------------------------------
# https://www.imsglobal.org/spec/lti/v1p3/#role-vocabularies
LIS_V2: Final = "http://purl.imsglobal.org/vocab/lis/v2/"
ROLE_CONTEXT: Final = LIS_V2 + "membership#"  # A.2.3 context roles
ROLE_CONTEXT_SUB: Final = LIS_V2 + "membership/"  # A.2.3.1 context sub-roles (Role#SubRole)
ROLE_INSTITUTION: Final = LIS_V2 + "institution/person#"  # A.2.2 institution roles
ROLE_SYSTEM: Final = LIS_V2 + "system/person#"  # A.2.1 system roles
ROLE_SYSTEM_LTI: Final = "http://purl.imsglobal.org/vocab/lti/system/person#"  # e.g. TestUser

# The custom parameter that selects the eTwinning resource (DESIGN.md "Interfaces").
CUSTOM_RESOURCE: Final = "etwin_resource"
