"""Open Badges 2.0 hosted assertions for acknowledgements (pure: data in, JSON-LD out).

Spec: IMS Open Badges v2.0 Final (https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html):
``Assertion`` (section "Assertion"), ``BadgeClass``, ``Profile`` (the issuer), ``IdentityObject``
(hashed recipient), ``VerificationObject`` with ``type: hosted`` (the assertion's ``id`` is its
own URL and must answer with the same document; a revoked hosted assertion answers 410 Gone with
``{"revoked": true, "revocationReason": ...}``, section "Revocation" of Hosted verification).

Recipient identity (why not e-mail): pupils have no stored e-mail (DESIGN.md, Privacy), so every
recipient is identified by an opaque URL, ``type: "url"``:
``<BASE_URL>/badges/recipients/<token>`` where ``token`` = HMAC-SHA256(recipient key,
"person:<id>") — unguessable without the tool's secret key, stable for a person, and revealing
nothing about them. It is always hashed and salted (``identity = "sha256$" +
hex(sha256(identity_url + salt))``, the spec's IdentityHash); the salt is per assertion
(HMAC of the assertion id). The learner sees their identity URL on their certificate, which is
what they give a verifier to prove the badge is theirs.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from etwin_lti.domain.model import Acknowledgement, AcknowledgementKind
from etwin_lti.domain.ports import HubPort
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import NotFoundError
from etwin_lti.services.wording import ENGLISH, Wording

OB_CONTEXT = "https://w3id.org/openbadges/v2"

# Titles and criteria of each acknowledgement kind, shown on badge classes and certificates.
KIND_NAMES = {
    AcknowledgementKind.COURSE_CERTIFICATE: N_("eTwinning distance training course certificate"),
    AcknowledgementKind.EVENT_CERTIFICATE: N_(
        "eTwinning Learning Event certificate of participation"
    ),
    AcknowledgementKind.ETWINNING_LABEL: N_("eTwinning label"),
    AcknowledgementKind.NATIONAL_QUALITY_LABEL: N_("eTwinning National Quality Label"),
    AcknowledgementKind.EUROPEAN_QUALITY_LABEL: N_("eTwinning European Quality Label"),
}
# The short name beside an acknowledgement in a list ("eTwinning" keeps its capital T).
KIND_LABELS = {
    AcknowledgementKind.COURSE_CERTIFICATE: N_("Course certificate"),
    AcknowledgementKind.EVENT_CERTIFICATE: N_("Learning Event certificate"),
    AcknowledgementKind.ETWINNING_LABEL: N_("eTwinning label"),
    AcknowledgementKind.NATIONAL_QUALITY_LABEL: N_("National Quality Label"),
    AcknowledgementKind.EUROPEAN_QUALITY_LABEL: N_("European Quality Label"),
}
KIND_CRITERIA = {
    AcknowledgementKind.COURSE_CERTIFICATE: N_(
        "Completed every unit of the eTwinning distance training course edition, as recorded "
        "by the course's learning platform."
    ),
    AcknowledgementKind.EVENT_CERTIFICATE: N_(
        "Took part in the expert-led eTwinning Learning Event and completed its activities."
    ),
    AcknowledgementKind.ETWINNING_LABEL: N_(
        "Founded or joined an eTwinning project validated by the National Support Organisations."
    ),
    AcknowledgementKind.NATIONAL_QUALITY_LABEL: N_(
        "Awarded by the National Support Organisation on the five eTwinning quality criteria."
    ),
    AcknowledgementKind.EUROPEAN_QUALITY_LABEL: N_(
        "Awarded by the Central Support Service to a project whose partners in at least two "
        "countries hold the National Quality Label."
    ),
}


class BadgeNotFoundError(NotFoundError):
    """An assertion id nobody issued: said to whoever followed a link to it."""

    description = N_("No badge has this address: the link may be mistyped or cut short.")
    who_can_fix = N_("whoever gave you the link (the badge's holder can send it again)")


def _acknowledgement(hub: HubPort, acknowledgement_id: int) -> Acknowledgement:
    try:
        return hub.get_acknowledgement(acknowledgement_id)
    except NotFoundError as error:
        raise BadgeNotFoundError() from error


def recipient_key(secret_key: str) -> bytes:
    """A key for recipient tokens and salts, separate from every other use of the secret."""
    return hmac.new(secret_key.encode(), b"etwin-lti/badge-recipient/v1", hashlib.sha256).digest()


def _mac(key: bytes, message: str, length: int) -> str:
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:length]


def hash_identity(identity: str, salt: str) -> str:
    """The OB 2.0 IdentityHash: ``sha256$`` + hex digest of identity followed by salt."""
    return "sha256$" + hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class BadgeUrls:
    """Where each document lives, under ``/badges/`` of the tool's base URL."""

    base_url: str

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/badges/issuer"

    def badge_class(self, kind: AcknowledgementKind, subject: str) -> str:
        return f"{self.base_url}/badges/classes/{kind.value}/{subject}"

    def image(self, kind: AcknowledgementKind) -> str:
        return f"{self.base_url}/badges/images/{kind.value}.svg"

    def assertion(self, acknowledgement_id: int) -> str:
        return f"{self.base_url}/badges/assertions/{acknowledgement_id}"

    def verify(self, acknowledgement_id: int) -> str:
        return f"{self.assertion(acknowledgement_id)}/verify"

    def certificate(self, acknowledgement_id: int) -> str:
        return f"{self.assertion(acknowledgement_id)}/certificate"

    def recipient(self, key: bytes, person_id: int) -> str:
        return f"{self.base_url}/badges/recipients/{_mac(key, f'person:{person_id}', 32)}"


def assertion_salt(key: bytes, acknowledgement_id: int) -> str:
    return _mac(key, f"salt:{acknowledgement_id}", 16)


def issuer_profile(urls: BadgeUrls, *, name: str, email: str | None = None) -> dict[str, Any]:
    profile: dict[str, Any] = {
        "@context": OB_CONTEXT,
        "type": "Issuer",
        "id": urls.issuer,
        "name": name,
        "url": urls.base_url,
        "description": "Issues eTwinning acknowledgements earned through a school's LMS.",
    }
    if email:
        profile["email"] = email
    return profile


def badge_class(
    urls: BadgeUrls, kind: AcknowledgementKind, subject: str, subject_title: str
) -> dict[str, Any]:
    return {
        "@context": OB_CONTEXT,
        "type": "BadgeClass",
        "id": urls.badge_class(kind, subject),
        "name": f"{KIND_NAMES[kind]}: {subject_title}",
        "description": f"{KIND_NAMES[kind]} for {subject_title}.",
        "image": urls.image(kind),
        "criteria": {"narrative": KIND_CRITERIA[kind]},
        "issuer": urls.issuer,
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def assertion(urls: BadgeUrls, key: bytes, acknowledgement: Acknowledgement) -> dict[str, Any]:
    """The hosted assertion of a (not revoked) acknowledgement."""
    salt = assertion_salt(key, acknowledgement.id)
    identity = urls.recipient(key, acknowledgement.person_id)
    return {
        "@context": OB_CONTEXT,
        "type": "Assertion",
        "id": urls.assertion(acknowledgement.id),
        "recipient": {
            "type": "url",
            "hashed": True,
            "salt": salt,
            "identity": hash_identity(identity, salt),
        },
        "badge": urls.badge_class(acknowledgement.kind, acknowledgement.subject),
        "verification": {"type": "hosted"},
        "issuedOn": _iso(acknowledgement.issued_at),
    }


def revoked_assertion(
    urls: BadgeUrls, acknowledgement: Acknowledgement, reason: str
) -> dict[str, Any]:
    """The body served with 410 Gone for a revoked hosted assertion."""
    return {
        "@context": OB_CONTEXT,
        "type": "Assertion",
        "id": urls.assertion(acknowledgement.id),
        "revoked": True,
        "revocationReason": reason,
    }


def badge_image_svg(kind: AcknowledgementKind) -> str:
    """A square, self-contained SVG medal (OB 2.0 accepts PNG or SVG images)."""
    colours = {
        AcknowledgementKind.COURSE_CERTIFICATE: "#1f5fa8",
        AcknowledgementKind.EVENT_CERTIFICATE: "#2a8a4a",
    }
    colour = colours.get(kind, "#b5831b")
    label = {
        AcknowledgementKind.COURSE_CERTIFICATE: "COURSE",
        AcknowledgementKind.EVENT_CERTIFICATE: "EVENT",
    }.get(kind, "LABEL")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">'
        f"<title>{KIND_NAMES[kind]}</title>"
        f'<circle cx="128" cy="128" r="120" fill="{colour}"/>'
        '<circle cx="128" cy="128" r="100" fill="none" stroke="#ffffff" stroke-width="6"/>'
        '<text x="128" y="120" font-family="sans-serif" font-size="34" font-weight="bold" '
        'fill="#ffffff" text-anchor="middle">eTwinning</text>'
        f'<text x="128" y="165" font-family="sans-serif" font-size="26" fill="#ffffff" '
        f'text-anchor="middle">{label}</text></svg>'
    )


# --- use cases over the hub port ----------------------------------------------------------


def certificate_key(key: bytes, acknowledgement_id: int) -> str:
    """The capability in a certificate link. Assertion ids are sequential, and a certificate
    shows the holder's name (a pupil's pseudonym at least), so the printable pages need it;
    the Open Badges JSON documents carry nothing personal and stay public."""
    return _mac(key, f"certificate:{acknowledgement_id}", 24)


def check_certificate_key(key: bytes, acknowledgement_id: int, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(
        certificate_key(key, acknowledgement_id), given
    )


UNAPPROVED_PROJECT_TITLE = N_("an eTwinning project")


@dataclass(frozen=True)
class SubjectDetails:
    """What an acknowledgement is for, as a certificate names it."""

    title: str
    starts_on: date | None = None
    ends_on: date | None = None


def subject_details(hub: HubPort, subject: str) -> SubjectDetails:
    """``edition:<id>``, ``event:<id>`` (with their dates), ``project:<id>`` (a generic title
    until the project is approved). Unknown or malformed subjects are ``NotFoundError``."""
    kind, _, raw_id = subject.partition(":")
    if not raw_id.isdigit():
        raise _no_badge_for(subject)
    if kind == "edition":
        edition = hub.get_edition(int(raw_id))
        return SubjectDetails(edition.title, edition.starts_on, edition.ends_on)
    if kind == "event":
        event = hub.get_event(int(raw_id))
        return SubjectDetails(event.title, event.starts_on, event.ends_on)
    if kind == "project":
        project = hub.get_project(int(raw_id))
        # Badge documents are public: a project's title is public only once its NSOs approved it.
        approved = project.approved_at is not None
        return SubjectDetails(project.title if approved else UNAPPROVED_PROJECT_TITLE)
    raise _no_badge_for(subject)


def _no_badge_for(subject: str) -> NotFoundError:
    return NotFoundError(N_("No badge for %(subject)s."), params={"subject": repr(subject)})


def subject_title(hub: HubPort, subject: str) -> str:
    return subject_details(hub, subject).title


def parse_kind(value: str) -> AcknowledgementKind:
    try:
        return AcknowledgementKind(value)
    except ValueError:
        raise NotFoundError(N_("No badge kind %(kind)s."), params={"kind": repr(value)}) from None


REVOKED_BY_ISSUER = N_("Revoked by the issuer.")


def revocation_reason(acknowledgement: Acknowledgement, words: Wording = ENGLISH) -> str:
    """The reason the issuer wrote (as written: their words), else a generic one."""
    return acknowledgement.evidence.get("revocation_reason") or words.translate(REVOKED_BY_ISSUER)


# The heading of a printed certificate, and who decided it (DESIGN.md "Labels and prizes";
# domain-facts.md: course and event certificates are the organiser's participation
# certificates, never the CSS's; the labels are the NSOs' and the CSS's decisions).
KIND_HEADINGS = {
    AcknowledgementKind.COURSE_CERTIFICATE: N_("Certificate of completion"),
    AcknowledgementKind.EVENT_CERTIFICATE: N_("Certificate of participation"),
    AcknowledgementKind.ETWINNING_LABEL: N_("eTwinning label"),
    AcknowledgementKind.NATIONAL_QUALITY_LABEL: N_("National Quality Label"),
    AcknowledgementKind.EUROPEAN_QUALITY_LABEL: N_("European Quality Label"),
}
_DECIDED_BY = {
    AcknowledgementKind.ETWINNING_LABEL: N_("the National Support Organisations of the founders"),
    AcknowledgementKind.NATIONAL_QUALITY_LABEL: N_("the eTwinning National Support Organisation"),
    AcknowledgementKind.EUROPEAN_QUALITY_LABEL: N_("the eTwinning Central Support Service"),
}


def long_date(day: date, words: Wording = ENGLISH) -> str:
    """``4 December 2026``: the month in words, so no reader mistakes day for month."""
    return words.long_date(day)


def period_text(details: SubjectDetails, words: Wording = ENGLISH) -> str | None:
    if details.starts_on is None or details.ends_on is None:
        return None
    return f"{words.long_date(details.starts_on)} – {words.long_date(details.ends_on)}"


def issuing_body(kind: AcknowledgementKind, issuer_name: str, words: Wording = ENGLISH) -> str:
    """Who the certificate names as its issuer: the organiser running this tool (an NSO's
    course platform) for certificates; the body whose decision the tool recorded for labels."""
    decided_by = _DECIDED_BY.get(kind)
    if decided_by is None:
        return issuer_name
    return words._(
        "%(body)s, recorded by %(issuer)s", body=words.translate(decided_by), issuer=issuer_name
    )


def _badge_name(kind: AcknowledgementKind, details: SubjectDetails, words: Wording) -> str:
    """``eTwinning Learning Event certificate of participation: Robots`` for people to read
    (the JSON-LD's ``name`` stays English: machines match it)."""
    title = details.title
    if title == UNAPPROVED_PROJECT_TITLE:
        title = words.translate(title)
    return words._("%(kind)s: %(title)s", kind=words.translate(KIND_NAMES[kind]), title=title)


@dataclass(frozen=True)
class Certificate:
    acknowledgement_id: int
    heading: str  # "Certificate of completion", "European Quality Label"...
    badge_name: str
    subject_title: str  # the course edition, event or project
    period: str | None  # the edition's or event's dates, in words
    issuer: str  # who issued or decided it
    recipient_name: str
    recipient_identity: str  # the plaintext identity URL the holder gives a verifier
    issued_on: str  # date, ISO
    issued_on_text: str  # the same date in words
    verification_url: str  # the human verify page (its QR code is on the PDF)
    assertion_url: str  # the hosted assertion
    badge_class_url: str
    revoked: bool
    revocation_reason: str | None
    locale: str = "en"  # the language its texts are in (the PDF's labels follow it)


def certificate(
    hub: HubPort,
    urls: BadgeUrls,
    key: bytes,
    acknowledgement_id: int,
    *,
    issuer_name: str,
    words: Wording = ENGLISH,
) -> Certificate:
    """The certificate in the words of whoever downloads it (``words``)."""
    acknowledgement = _acknowledgement(hub, acknowledgement_id)
    person = hub.get_person(acknowledgement.person_id)
    details = subject_details(hub, acknowledgement.subject)
    revoked = acknowledgement.revoked_at is not None
    kind = acknowledgement.kind
    return Certificate(
        acknowledgement_id=acknowledgement.id,
        heading=words.translate(KIND_HEADINGS[kind]),
        badge_name=_badge_name(kind, details, words),
        subject_title=details.title,
        period=period_text(details, words),
        issuer=issuing_body(kind, issuer_name, words),
        recipient_name=person.display_name,
        recipient_identity=urls.recipient(key, acknowledgement.person_id),
        issued_on=acknowledgement.issued_at.date().isoformat(),
        issued_on_text=words.long_date(acknowledgement.issued_at.date()),
        verification_url=urls.verify(acknowledgement.id),
        assertion_url=urls.assertion(acknowledgement.id),
        badge_class_url=urls.badge_class(kind, acknowledgement.subject),
        revoked=revoked,
        revocation_reason=revocation_reason(acknowledgement, words) if revoked else None,
        locale=words.locale,
    )


# --- the human pages of an assertion: what it is, and whether it holds ---------------------


@dataclass(frozen=True)
class AssertionPage:
    """What a browser opening a hosted assertion reads. Nothing personal, like the JSON: the
    recipient is a salted hash; its holder proves it with the identity on their certificate."""

    acknowledgement_id: int
    heading: str
    badge_name: str
    criteria: str
    period: str | None
    issuer: str
    issuer_url: str
    issued_on: str  # ISO
    issued_on_text: str
    image_url: str
    assertion_url: str
    badge_class_url: str
    verify_url: str
    revoked: bool
    revocation_reason: str | None


def assertion_page(
    hub: HubPort,
    urls: BadgeUrls,
    acknowledgement_id: int,
    *,
    issuer_name: str,
    words: Wording = ENGLISH,
) -> AssertionPage:
    acknowledgement = _acknowledgement(hub, acknowledgement_id)
    details = subject_details(hub, acknowledgement.subject)
    kind = acknowledgement.kind
    revoked = acknowledgement.revoked_at is not None
    return AssertionPage(
        acknowledgement_id=acknowledgement.id,
        heading=words.translate(KIND_HEADINGS[kind]),
        badge_name=_badge_name(kind, details, words),
        criteria=words.translate(KIND_CRITERIA[kind]),
        period=period_text(details, words),
        issuer=issuing_body(kind, issuer_name, words),
        issuer_url=urls.issuer,
        issued_on=acknowledgement.issued_at.date().isoformat(),
        issued_on_text=words.long_date(acknowledgement.issued_at.date()),
        image_url=urls.image(kind),
        assertion_url=urls.assertion(acknowledgement.id),
        badge_class_url=urls.badge_class(kind, acknowledgement.subject),
        verify_url=urls.verify(acknowledgement.id),
        revoked=revoked,
        revocation_reason=revocation_reason(acknowledgement, words) if revoked else None,
    )


IDENTITY_MAX = 500  # an identity URL is ~80 characters; anything far longer is not one


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool | None  # None: not checked (no recipient identity was given)
    words: str


@dataclass(frozen=True)
class Verification:
    page: AssertionPage
    checks: tuple[Check, ...]
    identity: str  # what the verifier typed, shown back in the form

    @property
    def valid(self) -> bool:
        return all(c.passed is not False for c in self.checks)


def verify(
    hub: HubPort,
    urls: BadgeUrls,
    key: bytes,
    acknowledgement_id: int,
    *,
    issuer_name: str,
    identity: str | None,
    words: Wording = ENGLISH,
) -> Verification:
    """The hosted verification of OB 2.0 done for a person: the assertion is ours and its
    badge class names our issuer, it is not revoked, and (when given) the identity hashes to
    the assertion's recipient with its salt. Unknown ids are ``NotFoundError``."""
    page = assertion_page(hub, urls, acknowledgement_id, issuer_name=issuer_name, words=words)
    _ = words._
    acknowledgement = _acknowledgement(hub, acknowledgement_id)
    document = assertion(urls, key, acknowledgement)
    ours = document["id"] == page.assertion_url and document["badge"] == page.badge_class_url
    checks = [
        Check(
            "issuer",
            ours,
            _(
                "Issued by %(issuer)s; this page is its hosted assertion (%(url)s).",
                issuer=page.issuer,
                url=page.assertion_url,
            )
            if ours
            else _("This assertion is not hosted by this issuer."),
        ),
        Check(
            "revocation",
            not page.revoked,
            _("Revoked by the issuer: %(reason)s", reason=page.revocation_reason)
            if page.revoked
            else _("Not revoked: valid since %(date)s.", date=page.issued_on_text),
        ),
    ]
    given = (identity or "").strip()
    if not given:
        checks.append(
            Check(
                "recipient",
                None,
                _(
                    "Not checked: enter the recipient identity printed on the certificate to "
                    "check that this badge is theirs."
                ),
            )
        )
    else:
        salt = document["recipient"]["salt"]
        matches = len(given) <= IDENTITY_MAX and hmac.compare_digest(
            hash_identity(given, salt), document["recipient"]["identity"]
        )
        checks.append(
            Check(
                "recipient",
                matches,
                _("The identity you entered is this badge's recipient.")
                if matches
                else _("The identity you entered is not this badge's recipient."),
            )
        )
    return Verification(page, tuple(checks), given[:IDENTITY_MAX])
