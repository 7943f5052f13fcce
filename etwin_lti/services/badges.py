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
from datetime import datetime
from typing import Any

from etwin_lti.domain.model import Acknowledgement, AcknowledgementKind
from etwin_lti.domain.ports import HubPort
from etwin_lti.errors import NotFoundError

OB_CONTEXT = "https://w3id.org/openbadges/v2"

# Titles and criteria of each acknowledgement kind, shown on badge classes and certificates.
KIND_NAMES = {
    AcknowledgementKind.COURSE_CERTIFICATE: "eTwinning distance training course certificate",
    AcknowledgementKind.EVENT_CERTIFICATE: "eTwinning Learning Event certificate of participation",
    AcknowledgementKind.ETWINNING_LABEL: "eTwinning label",
    AcknowledgementKind.NATIONAL_QUALITY_LABEL: "eTwinning National Quality Label",
    AcknowledgementKind.EUROPEAN_QUALITY_LABEL: "eTwinning European Quality Label",
}
KIND_CRITERIA = {
    AcknowledgementKind.COURSE_CERTIFICATE: (
        "Completed every unit of the eTwinning distance training course edition, as recorded "
        "by the course's learning platform."
    ),
    AcknowledgementKind.EVENT_CERTIFICATE: (
        "Took part in the expert-led eTwinning Learning Event and completed its activities."
    ),
    AcknowledgementKind.ETWINNING_LABEL: (
        "Founded or joined an eTwinning project validated by the National Support Organisations."
    ),
    AcknowledgementKind.NATIONAL_QUALITY_LABEL: (
        "Awarded by the National Support Organisation on the five eTwinning quality criteria."
    ),
    AcknowledgementKind.EUROPEAN_QUALITY_LABEL: (
        "Awarded by the Central Support Service to a project whose partners in at least two "
        "countries hold the National Quality Label."
    ),
}


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


UNAPPROVED_PROJECT_TITLE = "an eTwinning project"


def subject_title(hub: HubPort, subject: str) -> str:
    """The title of what an acknowledgement is for: ``edition:<id>``, ``event:<id>``,
    ``project:<id>`` (a generic title until the project is approved). Unknown or malformed
    subjects are ``NotFoundError``."""
    kind, _, raw_id = subject.partition(":")
    if not raw_id.isdigit():
        raise NotFoundError(f"No badge for {subject!r}.")
    if kind == "edition":
        return hub.get_edition(int(raw_id)).title
    if kind == "event":
        return hub.get_event(int(raw_id)).title
    if kind == "project":
        project = hub.get_project(int(raw_id))
        # Badge documents are public: a project's title is public only once its NSOs approved it.
        return project.title if project.approved_at is not None else UNAPPROVED_PROJECT_TITLE
    raise NotFoundError(f"No badge for {subject!r}.")


def parse_kind(value: str) -> AcknowledgementKind:
    try:
        return AcknowledgementKind(value)
    except ValueError:
        raise NotFoundError(f"No badge kind {value!r}.") from None


def revocation_reason(acknowledgement: Acknowledgement) -> str:
    return acknowledgement.evidence.get("revocation_reason") or "Revoked by the issuer."


@dataclass(frozen=True)
class Certificate:
    acknowledgement_id: int
    badge_name: str
    recipient_name: str
    recipient_identity: str  # the plaintext identity URL the holder gives a verifier
    issued_on: str  # date, ISO
    verification_url: str  # the hosted assertion
    badge_class_url: str
    revoked: bool
    revocation_reason: str | None


def certificate(hub: HubPort, urls: BadgeUrls, key: bytes, acknowledgement_id: int) -> Certificate:
    acknowledgement = hub.get_acknowledgement(acknowledgement_id)
    person = hub.get_person(acknowledgement.person_id)
    title = subject_title(hub, acknowledgement.subject)
    revoked = acknowledgement.revoked_at is not None
    return Certificate(
        acknowledgement_id=acknowledgement.id,
        badge_name=f"{KIND_NAMES[acknowledgement.kind]}: {title}",
        recipient_name=person.display_name,
        recipient_identity=urls.recipient(key, acknowledgement.person_id),
        issued_on=acknowledgement.issued_at.date().isoformat(),
        verification_url=urls.assertion(acknowledgement.id),
        badge_class_url=urls.badge_class(acknowledgement.kind, acknowledgement.subject),
        revoked=revoked,
        revocation_reason=revocation_reason(acknowledgement) if revoked else None,
    )
