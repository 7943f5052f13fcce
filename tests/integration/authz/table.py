"""Who may do what: one row per route of the app's URL map (method + rule), one outcome per actor.

``test_route_table`` fails when a route has no row here (so no route ships unreviewed) or a row
names no route, then plays every row as every actor over the test client. An outcome is the
HTTP status the actor gets:

- 200/201/303: allowed (the page, the document, or Post/Redirect/Get after a form);
- 401: no credential for this part of the app (no launch session for ``/embed``, ``/lti``,
  ``/admin``; no API token for ``/api/v1``); a launch session is no API token (unless the page's
  ``X-Etwin-CSRF`` header comes with it, which the walk never sends: see
  ``tests/integration/pages/test_teacher_api_access.py``) and the other way round, so every
  actor of the other kind gets 401 too;
- 403: the credential's role does not allow it (or the launch session is for another resource);
- 400/404/409/422: authorization passed and the deliberately empty or stale input was refused
  (rows send no valid body, so nothing is written), recorded so a change shows up here.

Actors (``conftest.py`` builds them; launches through the Mini LMS, tokens from the store):
anonymous; LMS launches: pupil, pupil administrator, teacher (a partner), teacher
administrator (a founder), guest (a read-only visitor of the TwinSpace), expert (of the demo
Learning Event), trainer (of the course edition), tool admin (an LMS institution administrator,
no membership), other member (a founder of *another* TwinSpace); API tokens: admin, NSO officer
of a founder's country (FR), of a country with no partner (ES), of a country that left eTwinning
(CH), CSS officer. What an allowed officer reads is checked too (no pupils' content, no other
countries' e-mail): ``PRIVATE`` below, and ``tests/integration/api/test_officer_privacy.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SESSION_ACTORS = (
    "pupil",
    "pupil_admin",
    "teacher",
    "teacher_admin",
    "guest",
    "expert",
    "trainer",
    "tool_admin",
    "other_member",
)
TOKEN_ACTORS = ("api_admin", "nso", "nso_other", "nso_ineligible", "css")
ACTORS = ("anonymous", *SESSION_ACTORS, *TOKEN_ACTORS)
OFFICERS = ("nso", "nso_other", "nso_ineligible", "css")


@dataclass(frozen=True)
class Row:
    path: str  # formatted with the world's ids ("{twinspace}")
    expect: Mapping[str, int]  # actor -> status
    body: Mapping[str, Any] = field(default_factory=dict)  # form (pages) or JSON (API)


def everyone(path: str, status: int = 200) -> Row:
    """Public by design: the same answer whoever asks (and no credential changes it)."""
    return Row(path, dict.fromkeys(ACTORS, status))


def api(
    path: str,
    *,
    admin: int,
    nso: int,
    nso_other: int | None = None,
    css: int,
    body: Mapping[str, Any] | None = None,
) -> Row:
    """An ``/api/v1`` operation: 401 for anyone without a token; an NSO of a country that left
    eTwinning is refused whatever it asks."""
    expect = dict.fromkeys(("anonymous", *SESSION_ACTORS), 401)
    expect |= {
        "api_admin": admin,
        "nso": nso,
        "nso_other": nso if nso_other is None else nso_other,
        "nso_ineligible": 403,
        "css": css,
    }
    return Row(path, expect, body or {})


def read(path: str) -> Row:
    """Officers read projects, labels, evidence, the course and events."""
    return api(path, admin=200, nso=200, css=200)


def write(path: str, *, admin: int = 422, body: Mapping[str, Any] | None = None) -> Row:
    """Acting for a person: admin tokens only (the empty body is refused once past the role)."""
    return api(path, admin=admin, nso=403, css=403, body=body)


def launched(path: str, body: Mapping[str, Any] | None = None, **statuses: int) -> Row:
    """A page or form of a launch session: 401 without one (API tokens included)."""
    assert set(statuses) == set(SESSION_ACTORS), set(SESSION_ACTORS) ^ set(statuses)
    expect = {"anonymous": 401, **statuses, **dict.fromkeys(TOKEN_ACTORS, 401)}
    return Row(path, expect, body or {})


def sessions(status: int) -> dict[str, int]:
    return dict.fromkeys(SESSION_ACTORS, status)


# Launched people of kind teacher: only they link an LMS account to an eTwinning teacher account
# (pupils, the guest, the tool admin, and the expert and trainers, people of their own kinds, are
# refused). The demo's teachers have no account record yet, so every way is offered to them.
TEACHERS = ("teacher", "teacher_admin", "other_member")
TS = "/api/v1/twinspaces/{twinspace}"
CONTENT_RULE = (
    "/api/v1/twinspaces/<int:twinspace_id>/content/"
    "<any(page, material, diary_post, diary_comment, thread, forum_post):kind>/<int:content_id>"
)
MEMBER = TS + "/members/{pupil}"
P = "/api/v1/projects/{project}"
# Members of the demo TwinSpace (all but the guest) see its pages and post; the guest reads.
TS_PAGE = dict(
    pupil=200,
    pupil_admin=200,
    teacher=200,
    teacher_admin=200,
    guest=200,
    expert=403,  # their session is for the Learning Event
    trainer=403,  # their session is for the course unit
    tool_admin=200,  # public content only (no membership)
    other_member=403,  # a launch into another TwinSpace opens only that one
)

ROWS: dict[tuple[str, str], Row] = {
    # --- LTI endpoints: the platform's messages carry their own proof (state, id_token) ---
    ("GET", "/.well-known/jwks.json"): everyone("/.well-known/jwks.json"),
    ("GET", "/lti/config.json"): everyone("/lti/config.json"),
    ("GET", "/lti/login"): everyone("/lti/login", 400),  # no iss / login_hint
    ("POST", "/lti/login"): everyone("/lti/login", 400),
    ("POST", "/lti/launch"): everyone("/lti/launch", 401),  # no id_token, no state
    ("GET", "/lti/launch"): everyone("/lti/launch", 405),
    ("GET", "/lti/register"): everyone("/lti/register", 403),  # no registration invite
    ("GET", "/healthz"): everyone("/healthz"),
    # The test client is on loopback and no ETWIN_METRICS_TOKEN is set: every actor is let in;
    # other addresses and the token: tests/integration/test_metrics.py.
    ("GET", "/metrics"): everyone("/metrics"),
    ("GET", "/"): everyone("/"),
    ("GET", "/assets/<path:filename>"): everyone("/assets/etwin.css"),
    ("GET", "/api/v1/openapi.json"): everyone("/api/v1/openapi.json"),
    # --- Open Badges: public so that anyone can verify an assertion ---
    ("GET", "/badges/issuer"): everyone("/badges/issuer"),
    ("GET", "/badges/images/<kind>.svg"): everyone("/badges/images/etwinning_label.svg"),
    ("GET", "/badges/classes/<kind>/<subject>"): everyone(
        "/badges/classes/etwinning_label/project:{project}"
    ),
    ("GET", "/badges/assertions/<int:acknowledgement_id>"): everyone("/badges/assertions/{label}"),
    # The human check of an assertion: public like it, and naming nobody (the holder's proof is
    # the identity printed on their certificate, typed in by the verifier).
    ("GET", "/badges/assertions/<int:acknowledgement_id>/verify"): everyone(
        "/badges/assertions/{certificate}/verify"
    ),
    # A certificate opens only with its link's key (?k=, given to its holder): without, 404.
    ("GET", "/badges/assertions/<int:acknowledgement_id>/certificate"): everyone(
        "/badges/assertions/{certificate}/certificate", 404
    ),
    ("GET", "/badges/assertions/<int:acknowledgement_id>/certificate.pdf"): everyone(
        "/badges/assertions/{certificate}/certificate.pdf", 404
    ),
    # --- The public project pages: no credential needed, none changes the answer ---
    ("GET", "/projects/public"): everyone("/projects/public"),
    ("GET", "/projects/<int:project_id>/public"): everyone("/projects/{project}/public"),
    # The public photo of the demo project (its private file: tests/integration/pages).
    (
        "GET",
        "/projects/<int:project_id>/public/materials/<int:material_id>/"
        "<any(file, thumbnail):which>",
    ): everyone("/projects/{project}/public/materials/{photo_material}/thumbnail"),
    # --- Pages inside the LMS iframe (launch sessions) ---
    ("GET", "/embed/twinspace/<int:twinspace_id>"): launched(
        "/embed/twinspace/{twinspace}", **TS_PAGE
    ),
    ("POST", "/embed/twinspace/<int:twinspace_id>/<action>"): launched(
        "/embed/twinspace/{twinspace}/pages",
        {"title": "Authz walk", "body": "A page."},
        **(
            sessions(403)
            | dict(pupil_admin=303, teacher=303, teacher_admin=303)  # pupils: only their admin
        ),
    ),
    ("POST", "/embed/twinspace/<int:twinspace_id>/<collection>/<int:target>/<action>"): launched(
        "/embed/twinspace/{twinspace}/members/{pupil}/pseudonym",
        # Teacher administrators edit pupils' pseudonyms (the empty one is refused).
        **(sessions(403) | dict(teacher_admin=422)),
    ),
    # --- uploaded files (issue 12): who may add them, and the page's rule for reading them
    # (members; the guest and a tool administrator see public files only) ---
    ("POST", "/embed/twinspace/<int:twinspace_id>/materials/upload"): launched(
        "/embed/twinspace/{twinspace}/materials/upload",
        {"title": "Authz walk"},  # no file part: refused once past the role
        **(sessions(403) | dict(pupil=422, pupil_admin=422, teacher=422, teacher_admin=422)),
    ),
    ("GET", "/embed/twinspace/<int:twinspace_id>/materials/<int:material_id>/file"): launched(
        "/embed/twinspace/{twinspace}/materials/{file_material}/file",
        **(
            sessions(403)
            | dict(pupil=200, pupil_admin=200, teacher=200, teacher_admin=200)
            | dict(guest=404, tool_admin=404)  # private: not listed for them
        ),
    ),
    ("GET", "/embed/twinspace/<int:twinspace_id>/materials/<int:material_id>/thumbnail"): launched(
        "/embed/twinspace/{twinspace}/materials/{photo_material}/thumbnail",
        **(sessions(403) | {a: 200 for a, s in TS_PAGE.items() if s == 200}),  # public photo
    ),
    # Restoring a Diary post that is not hidden: a teacher administrator of this TwinSpace is
    # past "who may" (409, nothing written); everyone else is refused.
    (
        "POST",
        "/embed/twinspace/<int:twinspace_id>/content/<kind>/<int:content_id>/<action>",
    ): launched(
        "/embed/twinspace/{twinspace}/content/diary_post/{post}/restore",
        **(sessions(403) | dict(teacher_admin=409)),
    ),
    ("GET", "/embed/event/<int:event_id>"): launched(
        "/embed/event/{event}",
        **(sessions(403) | dict(teacher_admin=200, expert=200)),  # a participant; the expert
    ),
    ("POST", "/embed/event/<int:event_id>/participants/<int:person_id>/complete"): launched(
        "/embed/event/{event}/participants/{pupil}/complete",  # not a participant: 404
        **(sessions(403) | dict(teacher_admin=404, expert=404)),
    ),
    ("GET", "/embed/unit/<int:unit_id>"): launched(
        "/embed/unit/{unit}",
        **(sessions(403) | dict(teacher_admin=200, trainer=200)),  # a trainee; the trainer
    ),
    ("POST", "/embed/unit/<int:unit_id>/activities/<int:activity_id>/done"): launched(
        "/embed/unit/{unit}/activities/{activity}/done",
        **(sessions(403) | dict(teacher_admin=303, trainer=409)),  # trainers are no trainees
    ),
    ("GET", "/embed/acknowledgements"): launched("/embed/acknowledgements", **sessions(200)),
    ("GET", "/embed/edition/<int:edition_id>/progress.csv"): launched(
        "/embed/edition/{edition}/progress.csv", **(sessions(403) | dict(trainer=200))
    ),
    ("GET", "/lti/review"): launched("/lti/review", **sessions(200)),  # one's own progress
    ("POST", "/lti/roster/sync"): launched(
        "/lti/roster/sync",
        {"twinspace_id": "{twinspace}"},
        # The founder may; the Mini LMS offers no roster service, refused as a conflict.
        **(sessions(403) | dict(teacher_admin=409)),
    ),
    # --- teacher linking: the page tells pupils, guests and the tool admin it is not theirs ---
    ("GET", "/lti/link"): launched("/lti/link", **sessions(200)),
    # The link is opened from an e-mail too: without a session it says where to paste it.
    ("GET", "/lti/link/invitation/<token>"): everyone("/lti/link/invitation/not-a-token"),
    # Teachers are past "who may": the empty invitation is unknown, the empty fields invalid.
    ("POST", "/lti/link/invitation"): launched(
        "/lti/link/invitation", **(sessions(403) | dict.fromkeys(TEACHERS, 404))
    ),
    ("POST", "/lti/link/code"): launched(
        "/lti/link/code", **(sessions(403) | dict.fromkeys(TEACHERS, 422))
    ),
    ("POST", "/lti/link/code/verify"): launched(
        "/lti/link/code/verify", **(sessions(403) | dict.fromkeys(TEACHERS, 422))
    ),
    ("POST", "/lti/link/register"): launched(
        "/lti/link/register", **(sessions(403) | dict.fromkeys(TEACHERS, 422))
    ),
    # A TwinSpace's invitations: its teacher administrators, from its own activity.
    ("GET", "/embed/twinspace/<int:twinspace_id>/invitations"): launched(
        "/embed/twinspace/{twinspace}/invitations", **(sessions(403) | dict(teacher_admin=200))
    ),
    ("POST", "/embed/twinspace/<int:twinspace_id>/invitations"): launched(
        "/embed/twinspace/{twinspace}/invitations",
        {"role": ""},  # no role chosen: nothing is made
        **(sessions(403) | dict(teacher_admin=422)),
    ),
    ("POST", "/embed/twinspace/<int:twinspace_id>/invitations/<invitation_id>/revoke"): launched(
        "/embed/twinspace/{twinspace}/invitations/none/revoke",
        **(sessions(403) | dict(teacher_admin=422)),
    ),
    # --- course connections (a copied course waits): whoever may approve sees and decides ---
    ("GET", "/embed/connections"): launched("/embed/connections", **sessions(200)),
    ("POST", "/embed/connections/<int:request_id>/<any(approve, decline):decision>"): launched(
        "/embed/connections/{connection}/decline",
        **(sessions(403) | dict(teacher_admin=303)),  # a teacher administrator of the TwinSpace
    ),
    # A teacher enrols from the event's activity: the founder is enrolled already, the expert
    # leads it; a TwinSpace's (or unit's) session opens no event.
    ("POST", "/embed/event/<int:event_id>/enrol"): launched(
        "/embed/event/{event}/enrol", **(sessions(403) | dict(teacher_admin=409, expert=409))
    ),
    # Deep linking needs a deep-linking launch: these sessions are resource-link launches.
    ("GET", "/lti/deep-link"): launched("/lti/deep-link", **sessions(400)),
    ("POST", "/lti/deep-link"): launched("/lti/deep-link", **sessions(400)),
    ("POST", "/lti/deep-link/project"): launched("/lti/deep-link/project", **sessions(400)),
    ("GET", "/admin/passback"): launched(
        "/admin/passback", **(sessions(403) | dict(tool_admin=200))
    ),
    ("GET", "/admin/audit"): launched("/admin/audit", **(sessions(403) | dict(tool_admin=200))),
    ("POST", "/admin/passback/retry"): launched(
        "/admin/passback/retry", **(sessions(403) | dict(tool_admin=422))
    ),
    # --- a teacher's own API tokens (API access page): people of kind teacher only; the guest
    # is a teacher too (a visiting one). Empty days are the default, "0" is refused: no token is
    # made by the walk; no token 999999 is anyone's ---
    ("GET", "/embed/api-access"): launched(
        "/embed/api-access", **(sessions(403) | dict.fromkeys((*TEACHERS, "guest"), 200))
    ),
    ("POST", "/embed/api-access"): launched(
        "/embed/api-access",
        {"days": "0"},
        **(sessions(403) | dict.fromkeys((*TEACHERS, "guest"), 422)),
    ),
    ("POST", "/embed/api-access/<int:token_id>/revoke"): launched(
        "/embed/api-access/999999/revoke",
        **(sessions(403) | dict.fromkeys((*TEACHERS, "guest"), 404)),
    ),
    # --- REST API: people and countries ---
    ("GET", "/api/v1/countries"): read("/api/v1/countries"),
    ("POST", "/api/v1/people"): write("/api/v1/people"),
    ("POST", "/api/v1/people/batch"): write("/api/v1/people/batch"),
    ("GET", "/api/v1/people/<int:person_id>"): read("/api/v1/people/{teacher_it}"),
    ("PATCH", "/api/v1/people/<int:person_id>"): write("/api/v1/people/{pupil}"),
    ("PUT", "/api/v1/people/<int:person_id>/country"): write("/api/v1/people/{pupil}/country"),
    # --- projects ---
    ("GET", "/api/v1/projects"): read("/api/v1/projects"),
    ("POST", "/api/v1/projects"): write("/api/v1/projects"),
    ("GET", "/api/v1/projects/<int:project_id>"): read(P),
    ("POST", "/api/v1/projects/<int:project_id>/validations"): api(
        P + "/validations",
        admin=422,  # an admin must name the NSO
        nso=409,  # the FR NSO may: already validated
        nso_other=403,  # not a founder's NSO
        css=403,
        body={},
    ),
    ("POST", "/api/v1/projects/<int:project_id>/partners"): write(P + "/partners"),
    # --- partner invitations (issue 12 items 5 and 7) ---
    ("GET", "/api/v1/teachers"): read("/api/v1/teachers?name=Camille"),
    ("POST", "/api/v1/projects/<int:project_id>/partner-invitations"): write(
        P + "/partner-invitations"
    ),
    ("GET", "/api/v1/projects/<int:project_id>/partner-invitations"): read(
        P + "/partner-invitations"
    ),
    ("GET", "/api/v1/people/<int:person_id>/partner-invitations"): read(
        "/api/v1/people/{teacher_it}/partner-invitations"
    ),
    (
        "POST",
        "/api/v1/partner-invitations/<int:invitation_id>/<any(accept, decline):answer>",
    ): write("/api/v1/partner-invitations/1/accept"),
    ("POST", "/api/v1/partner-invitations/<int:invitation_id>/withdraw"): write(
        "/api/v1/partner-invitations/1/withdraw"
    ),
    ("POST", "/api/v1/projects/<int:project_id>/close"): write(P + "/close"),
    # --- TwinSpaces and members ---
    ("GET", "/api/v1/twinspaces"): read("/api/v1/twinspaces"),
    ("GET", "/api/v1/twinspaces/<int:twinspace_id>"): read(TS),
    ("GET", "/api/v1/twinspaces/<int:twinspace_id>/members"): read(TS + "/members"),
    ("POST", "/api/v1/twinspaces/<int:twinspace_id>/members"): write(TS + "/members"),
    ("GET", "/api/v1/twinspaces/<int:twinspace_id>/members/<int:person_id>"): read(MEMBER),
    ("PATCH", "/api/v1/twinspaces/<int:twinspace_id>/members/<int:person_id>"): write(MEMBER),
    (
        "POST",
        "/api/v1/twinspaces/<int:twinspace_id>/members/<int:person_id>/suspend",
    ): write(MEMBER + "/suspend"),
    (
        "POST",
        "/api/v1/twinspaces/<int:twinspace_id>/members/<int:person_id>/reactivate",
    ): write(MEMBER + "/reactivate"),
    ("PUT", "/api/v1/twinspaces/<int:twinspace_id>/members/<int:person_id>/sync"): write(
        MEMBER + "/sync"
    ),
    ("POST", "/api/v1/twinspaces/<int:twinspace_id>/members/sync"): write(TS + "/members/sync"),
    # A teacher administrator (actor_id) lets a parent visit: acting for a person.
    ("PUT", "/api/v1/twinspaces/<int:twinspace_id>/visitor-permits/<int:person_id>"): write(
        TS + "/visitor-permits/{teacher_it}"
    ),
    ("DELETE", "/api/v1/twinspaces/<int:twinspace_id>/visitor-permits/<int:person_id>"): write(
        TS + "/visitor-permits/{teacher_it}"
    ),
    # Public content only without a member viewer_id (admin tokens only may pass one).
    ("GET", "/api/v1/twinspaces/<int:twinspace_id>/snapshot"): read(TS + "/snapshot"),
    # --- content ---
    ("GET", "/api/v1/twinspaces/<int:twinspace_id>/pages"): read(TS + "/pages"),
    ("POST", "/api/v1/twinspaces/<int:twinspace_id>/pages"): write(TS + "/pages"),
    ("GET", "/api/v1/twinspaces/<int:twinspace_id>/materials"): read(TS + "/materials"),
    ("POST", "/api/v1/twinspaces/<int:twinspace_id>/materials"): write(TS + "/materials"),
    (
        "GET",
        "/api/v1/twinspaces/<int:twinspace_id>/materials/<int:material_id>/file",
    ): api(  # private: only an admin token reading as a member; officers never as a person
        TS + "/materials/{file_material}/file?viewer_id={founder}", admin=200, nso=403, css=403
    ),
    (
        "GET",
        "/api/v1/twinspaces/<int:twinspace_id>/materials/<int:material_id>/thumbnail",
    ): read(TS + "/materials/{photo_material}/thumbnail"),
    ("GET", "/api/v1/twinspaces/<int:twinspace_id>/file-usage"): read(TS + "/file-usage"),
    ("GET", "/api/v1/projects/<int:project_id>/diary"): read(P + "/diary"),  # no pupils' comments
    ("POST", "/api/v1/projects/<int:project_id>/diary"): write(P + "/diary"),
    ("POST", "/api/v1/diary/<int:post_id>/comments"): write("/api/v1/diary/{post}/comments"),
    # The forum is members' and pupils' work, not evidence: admin tokens only.
    ("GET", "/api/v1/twinspaces/<int:twinspace_id>/threads"): api(
        TS + "/threads", admin=200, nso=403, css=403
    ),
    ("POST", "/api/v1/twinspaces/<int:twinspace_id>/threads"): write(TS + "/threads"),
    ("POST", "/api/v1/threads/<int:thread_id>/posts"): write("/api/v1/threads/{thread}/posts"),
    # --- editing and moderation: acting for a person (the author or a teacher administrator) ---
    ("PATCH", CONTENT_RULE): write(TS + "/content/diary_post/{post}"),
    ("DELETE", CONTENT_RULE): write(TS + "/content/diary_post/{post}"),
    ("POST", CONTENT_RULE + "/hide"): write(TS + "/content/diary_post/{post}/hide"),
    ("POST", CONTENT_RULE + "/restore"): write(TS + "/content/diary_post/{post}/restore"),
    ("PUT", CONTENT_RULE + "/visibility"): write(TS + "/content/page/{post}/visibility"),
    # The trail is read as a teacher administrator (actor_id, missing here): admin tokens only.
    ("GET", "/api/v1/twinspaces/<int:twinspace_id>/moderation"): write(TS + "/moderation"),
    # --- Learning Events ---
    ("GET", "/api/v1/events"): read("/api/v1/events"),
    ("POST", "/api/v1/events"): write("/api/v1/events"),
    ("GET", "/api/v1/events/<int:event_id>"): read("/api/v1/events/{event}"),
    ("GET", "/api/v1/events/<int:event_id>/enrolments"): read("/api/v1/events/{event}/enrolments"),
    ("POST", "/api/v1/events/<int:event_id>/enrolments"): write(
        "/api/v1/events/{event}/enrolments"
    ),
    ("POST", "/api/v1/events/<int:event_id>/completions"): write(
        "/api/v1/events/{event}/completions"
    ),
    # --- the distance course ---
    ("GET", "/api/v1/editions"): read("/api/v1/editions"),
    ("POST", "/api/v1/editions"): write("/api/v1/editions"),
    ("GET", "/api/v1/editions/<int:edition_id>"): read("/api/v1/editions/{edition}"),
    ("GET", "/api/v1/editions/<int:edition_id>/trainees"): read(
        "/api/v1/editions/{edition}/trainees"
    ),
    ("POST", "/api/v1/editions/<int:edition_id>/trainees"): write(
        "/api/v1/editions/{edition}/trainees"
    ),
    ("POST", "/api/v1/editions/<int:edition_id>/units"): write("/api/v1/editions/{edition}/units"),
    ("POST", "/api/v1/editions/<int:edition_id>/completions"): write(
        "/api/v1/editions/{edition}/completions"
    ),
    ("GET", "/api/v1/units"): read("/api/v1/units"),
    ("GET", "/api/v1/units/<int:unit_id>"): read("/api/v1/units/{unit}"),
    ("GET", "/api/v1/units/<int:unit_id>/progress/<int:person_id>"): read(
        "/api/v1/units/{unit}/progress/{founder}"
    ),
    ("PUT", "/api/v1/activities/<int:activity_id>/done/<int:person_id>"): write(
        "/api/v1/activities/{activity}/done/{pupil}",
        admin=409,  # a pupil is no trainee
    ),
    # --- labels and acknowledgements (rules: the labels helper's endpoints) ---
    ("GET", "/api/v1/acknowledgements"): read("/api/v1/acknowledgements"),
    ("POST", "/api/v1/acknowledgements"): write("/api/v1/acknowledgements"),
    ("GET", "/api/v1/acknowledgements/<int:acknowledgement_id>"): read(
        "/api/v1/acknowledgements/{label}"
    ),
    ("POST", "/api/v1/acknowledgements/<int:acknowledgement_id>/revocation"): write(
        "/api/v1/acknowledgements/{label}/revocation"
    ),
    ("GET", "/api/v1/nql-applications"): read("/api/v1/nql-applications"),
    ("POST", "/api/v1/nql-applications/<int:application_id>/decision"): api(
        "/api/v1/nql-applications/1/decision", admin=422, nso=422, css=403
    ),
    ("POST", "/api/v1/projects/<int:project_id>/nql-applications"): write(P + "/nql-applications"),
    ("POST", "/api/v1/projects/<int:project_id>/eql"): api(
        P + "/eql",
        admin=409,
        nso=403,
        css=409,  # the CSS may: no NQLs yet
    ),
    # The CSS withdraws the EQL with a reason (the empty body is refused once past the role).
    ("POST", "/api/v1/projects/<int:project_id>/eql/withdrawal"): api(
        P + "/eql/withdrawal", admin=422, nso=403, css=422
    ),
    ("GET", "/api/v1/projects/<int:project_id>/prize-eligibility"): api(
        P + "/prize-eligibility",
        admin=422,
        nso=422,
        css=422,  # needs the prize year
    ),
    # --- what the public pages show, for a remote hub's connector: any token reads it ---
    ("GET", "/api/v1/public/projects"): read("/api/v1/public/projects"),
    ("GET", "/api/v1/public/projects/<int:project_id>"): read("/api/v1/public/projects/{project}"),
    (
        "GET",
        "/api/v1/public/projects/<int:project_id>/materials/<int:material_id>/"
        "<any(file, thumbnail):which>",
    ): read("/api/v1/public/projects/{project}/materials/{photo_material}/file"),
    # --- the audit log: who changed roles, permits, labels; not for officers ---
    ("GET", "/api/v1/audit"): api("/api/v1/audit", admin=200, nso=403, css=403),
    # --- the sandbox LMS (demo mode only): another platform mounted in-process, with its own
    # authentication (client-credential JWTs, the registration token); a tool session or API
    # token changes nothing there ---
    ("GET", "/sandbox/"): everyone("/sandbox/"),
    ("GET", "/sandbox/.well-known/openid-configuration"): everyone(
        "/sandbox/.well-known/openid-configuration"
    ),
    ("GET", "/sandbox/jwks"): everyone("/sandbox/jwks"),
    ("GET", "/sandbox/gradebook"): everyone("/sandbox/gradebook"),
    ("GET", "/sandbox/roster"): everyone("/sandbox/roster"),
    ("GET", "/sandbox/storage"): everyone("/sandbox/storage"),
    ("GET", "/sandbox/auth"): everyone("/sandbox/auth", 400),
    ("POST", "/sandbox/auth"): everyone("/sandbox/auth", 400),
    ("GET", "/sandbox/launch"): everyone("/sandbox/launch", 400),
    ("POST", "/sandbox/launch"): everyone("/sandbox/launch", 400),
    ("POST", "/sandbox/deep-link-return"): everyone("/sandbox/deep-link-return", 400),
    ("POST", "/sandbox/token"): everyone("/sandbox/token", 400),
    ("POST", "/sandbox/register"): everyone("/sandbox/register", 401),
    ("GET", "/sandbox/register-tool"): everyone("/sandbox/register-tool", 400),
    ("GET", "/sandbox/nrps/<context_id>/memberships"): everyone(
        "/sandbox/nrps/{context}/memberships", 400
    ),
    ("GET", "/sandbox/ags/<context_id>/lineitems"): everyone(
        "/sandbox/ags/{context}/lineitems", 404
    ),
    ("POST", "/sandbox/ags/<context_id>/lineitems"): everyone(
        "/sandbox/ags/{context}/lineitems", 404
    ),
    ("GET", "/sandbox/ags/<context_id>/lineitems/<int:number>/lineitem"): everyone(
        "/sandbox/ags/{context}/lineitems/1/lineitem", 404
    ),
    ("POST", "/sandbox/ags/<context_id>/lineitems/<int:number>/lineitem/scores"): everyone(
        "/sandbox/ags/{context}/lineitems/1/lineitem/scores", 404
    ),
    # --- the project's life from the LMS page (issue 12 item 5) ---
    ("GET", "/embed/twinspace/<int:twinspace_id>/project"): launched(
        "/embed/twinspace/{twinspace}/project", **TS_PAGE
    ),
    ("POST", "/embed/twinspace/<int:twinspace_id>/project/<action>"): launched(
        # Only the founder (and co-founder) gets past the role; the empty date is refused.
        "/embed/twinspace/{twinspace}/project/extend",
        **(sessions(403) | dict(teacher_admin=422)),
    ),
    ("POST", "/embed/twinspace/<int:twinspace_id>/project/permits/<action>"): launched(
        # Teacher administrators grant permits; naming nobody is refused.
        "/embed/twinspace/{twinspace}/project/permits/grant-expert",
        **(sessions(403) | dict(teacher_admin=422)),
    ),
    ("POST", "/embed/twinspace/<int:twinspace_id>/project/partners/<action>"): launched(
        # Teacher administrators invite; naming nobody is refused.
        "/embed/twinspace/{twinspace}/project/partners/invite",
        **(sessions(403) | dict(teacher_admin=422)),
    ),
    ("POST", "/embed/partner-invitations/<int:invitation_id>/<any(accept, decline):answer>"): (
        # Only one of the launched person's own pending invitations: none here (the tool
        # admin's launch names no hub person at all).
        launched("/embed/partner-invitations/1/accept", **(sessions(404) | dict(tool_admin=403)))
    ),
    ("PUT", "/api/v1/projects/<int:project_id>/profile"): write(P + "/profile"),
    ("POST", "/api/v1/projects/<int:project_id>/extend"): write(P + "/extend"),
    ("PUT", "/api/v1/twinspaces/<int:twinspace_id>/expert-permits/<int:person_id>"): write(
        TS + "/expert-permits/{teacher_it}"
    ),
    ("DELETE", "/api/v1/twinspaces/<int:twinspace_id>/expert-permits/<int:person_id>"): write(
        TS + "/expert-permits/{teacher_it}"
    ),
}

# --- the TwinSpace chat: active members of that TwinSpace only (the guest reads) ---
CHAT = "/embed/twinspace/{twinspace}/chat"
CHAT_READERS = dict(pupil=200, pupil_admin=200, teacher=200, teacher_admin=200, guest=200)
API_CHAT = TS + "/chat/messages"
ROWS |= {
    ("GET", "/embed/twinspace/<int:twinspace_id>/chat"): launched(
        CHAT,
        **(sessions(403) | CHAT_READERS),  # the tool admin: no membership, no chat
    ),
    ("GET", "/embed/twinspace/<int:twinspace_id>/chat/messages"): launched(
        CHAT + "/messages", **(sessions(403) | CHAT_READERS)
    ),
    ("POST", "/embed/twinspace/<int:twinspace_id>/chat/messages"): launched(
        CHAT + "/messages",
        {"body": "Authz walk"},
        **(sessions(403) | dict(pupil=303, pupil_admin=303, teacher=303, teacher_admin=303)),
    ),
    # No such message: members are past "who may" (404); everyone else is refused first.
    ("POST", "/embed/twinspace/<int:twinspace_id>/chat/messages/<int:message_id>/<action>"): (
        launched(
            CHAT + "/messages/999999/delete",
            **(sessions(403) | dict.fromkeys(CHAT_READERS, 404)),
        )
    ),
    # The API reads as a named member (admin tokens only; the empty query names nobody).
    ("GET", "/api/v1/twinspaces/<int:twinspace_id>/chat/messages"): api(
        API_CHAT, admin=422, nso=403, css=403
    ),
    ("GET", "/api/v1/twinspaces/<int:twinspace_id>/chat/recent"): api(
        TS + "/chat/recent", admin=422, nso=403, css=403
    ),
    ("POST", "/api/v1/twinspaces/<int:twinspace_id>/chat/messages"): write(API_CHAT),
    ("DELETE", "/api/v1/twinspaces/<int:twinspace_id>/chat/messages/<int:message_id>"): write(
        API_CHAT + "/999999"
    ),
    (
        "PUT",
        "/api/v1/twinspaces/<int:twinspace_id>/chat/messages/<int:message_id>/hidden",
    ): write(API_CHAT + "/999999/hidden"),
}

# --- pages that don't grow with the class (issue 11 item 2, ADR 0016) ---
ROWS.update(
    {
        # The member list: the TwinSpace's active members only (the guest too, who saw the
        # members on the page before); not the tool admin, who has no membership.
        ("GET", "/embed/twinspace/<int:twinspace_id>/members"): launched(
            "/embed/twinspace/{twinspace}/members", **(TS_PAGE | dict(tool_admin=403))
        ),
        ("GET", "/api/v1/twinspaces/<int:twinspace_id>/role-counts"): read(TS + "/role-counts"),
        ("GET", "/api/v1/twinspaces/<int:twinspace_id>/member-page"): read(TS + "/member-page"),
        ("GET", "/api/v1/events/<int:event_id>/enrolments/<int:person_id>"): read(
            "/api/v1/events/{event}/enrolments/{founder}"
        ),
        ("GET", "/api/v1/events/<int:event_id>/participant-page"): read(
            "/api/v1/events/{event}/participant-page"
        ),
        ("GET", "/api/v1/editions/<int:edition_id>/trainees/<int:person_id>"): read(
            "/api/v1/editions/{edition}/trainees/{founder}"
        ),
        ("GET", "/api/v1/editions/<int:edition_id>/trainee-page"): read(
            "/api/v1/editions/{edition}/trainee-page"
        ),
        ("GET", "/api/v1/units/<int:unit_id>/progress-of"): read(
            "/api/v1/units/{unit}/progress-of?person_id={founder}"
        ),
    }
)
