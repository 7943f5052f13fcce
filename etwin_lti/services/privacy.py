"""Privacy use cases: export one person's data, erase one person, purge past retention.

Rules in ``etwin_lti.domain.privacy`` and docs/decisions/0007-privacy-export-and-erase.md; the
``PrivacyStore`` port does the reading and the one-transaction erasure. ``now`` and the
pseudonym's random tag are parameters.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from etwin_lti.domain import privacy
from etwin_lti.domain.privacy import (
    ErasureCounts,
    ErasurePlan,
    ErasureReason,
    ErasureResult,
    PrivacyStore,
    PurgeReport,
)
from etwin_lti.domain.translatable import N_
from etwin_lti.errors import InvalidInputError, NotFoundError, RuleViolationError
from etwin_lti.services.badges import BadgeUrls, certificate_key

# v2: the records are the hub's own dataclasses, so "content" became one list per kind (pages,
# materials, diary_posts, diary_comments, forum_threads, forum_posts), an acknowledgement's
# revocation reason is in its evidence, and scores, memberships and NQL applications carry every
# field the hub keeps of them.
EXPORT_FORMAT = "etwin-lti/personal-data/v2"
# Said in every export, so that a DPO can answer "what else do you hold?" from the file alone.
NEVER_STORED = (
    "LMS e-mail of pupils",
    "LMS user name (ext_user_username)",
    "lis_person_sourcedid / Moodle idnumber",
    "photos or avatars from the LMS",
    "date of birth",
    "grades other than the completion score sent back to the LMS",
)
IDENTIFIER_MAX = 255


class RemoteHubPrivacyError(RuleViolationError):
    error = "remote_hub"
    description = N_(
        "This instance uses another instance's hub (ETWIN_HUB_URL): run the privacy "
        "commands on the hub instance, which holds the people."
    )
    who_can_fix = N_("the tool administrator")


@dataclass(frozen=True)
class PrivacyConfig:
    urls: BadgeUrls
    recipient_key: bytes  # badges.recipient_key(secret): certificate links in the export
    retention_days: int
    hub_is_local: bool = True


class PrivacyService:
    def __init__(
        self,
        config: PrivacyConfig,
        store: PrivacyStore,
        *,
        pseudonym_tag: Callable[[], str],
    ) -> None:
        self._config = config
        self._store = store
        self._tag = pseudonym_tag

    def _local_only(self) -> None:
        if not self._config.hub_is_local:
            raise RemoteHubPrivacyError()

    # --- finding the person ---------------------------------------------------------------------

    def find_person(
        self,
        person_id: int | None = None,
        *,
        lti: tuple[str, str] | None = None,
        deployment_id: str | None = None,
    ) -> int:
        """A hub person id, given directly or as the LTI identity a school's DPO knows from the
        LMS (issuer and the user's LTI ``sub``, i.e. the Moodle user id)."""
        self._local_only()
        if (person_id is None) == (lti is None):
            raise InvalidInputError(errors={"person": ["Give a person id or --lti ISSUER SUB."]})
        if person_id is not None:
            if person_id < 1 or not self._store.person_exists(person_id):
                raise NotFoundError(N_("Person %(id)s does not exist."), params={"id": person_id})
            return person_id
        assert lti is not None
        issuer, sub = (value.strip() for value in lti)
        errors: dict[str, list[str]] = {}
        if not issuer.startswith(("https://", "http://")) or len(issuer) > IDENTIFIER_MAX:
            errors["issuer"] = ["The LTI issuer is the LMS's URL (the iss claim)."]
        if not sub or len(sub) > IDENTIFIER_MAX:
            errors["sub"] = ["The LTI sub is the LMS's user id, 1 to 255 characters."]
        if deployment_id is not None and not deployment_id.strip():
            errors["deployment"] = ["The deployment id cannot be empty."]
        if errors:
            raise InvalidInputError(errors=errors)
        found = self._store.find_people_by_lti(issuer, sub, deployment_id)
        if not found:
            raise NotFoundError(N_("No person is linked to that LTI identity."))
        if len(found) > 1:
            raise InvalidInputError(
                errors={"deployment": [f"Several people ({found}) match: add --deployment."]}
            )
        return found[0]

    # --- export ---------------------------------------------------------------------------------

    def export(self, person_id: int, *, now: datetime) -> dict[str, Any]:
        """The person's data as JSON-ready data (ISO 8601 datetimes)."""
        self._local_only()
        data = self._store.collect(person_id)
        document: dict[str, Any] = {
            "format": EXPORT_FORMAT,
            "exported_at": now.isoformat(),
            "never_stored": list(NEVER_STORED),
        }
        document.update(_jsonable(dataclasses.asdict(data)))
        for identity in document["identities"]:
            # The LMS's opaque user id is the key of the person (DESIGN.md "Privacy").
            identity["sub_kept"] = True
        for acknowledgement in document["acknowledgements"]:
            ack_id = acknowledgement["id"]
            key = certificate_key(self._config.recipient_key, ack_id)
            acknowledgement["assertion_url"] = self._config.urls.assertion(ack_id)
            acknowledgement["certificate_url"] = f"{self._config.urls.certificate(ack_id)}?k={key}"
        return document

    # --- erase ----------------------------------------------------------------------------------

    def erase(
        self,
        person_id: int,
        *,
        now: datetime,
        force: bool = False,
        reason: ErasureReason = ErasureReason.REQUEST,
    ) -> ErasureResult:
        """Idempotent: a person already erased is answered with ``already_erased`` and no write."""
        self._local_only()
        if not self._store.person_exists(person_id):
            raise NotFoundError(N_("Person %(id)s does not exist."), params={"id": person_id})
        done = self._store.erasure(person_id)
        if done is not None:
            return ErasureResult(person_id, done.pseudonym, already_erased=True)
        privacy.check_erasable(self._store.open_founded_projects(person_id), force=force)
        plan = ErasurePlan(
            person_id=person_id,
            pseudonym=privacy.pseudonym(self._tag()),
            reason=reason,
            revocation_reason=privacy.REVOCATION_REASON
            if reason is ErasureReason.REQUEST
            else privacy.RETENTION_REVOCATION_REASON,
            forced=force,
            now=now,
        )
        counts = self._store.erase(plan)
        return ErasureResult(person_id, plan.pseudonym, already_erased=False, counts=counts)

    # --- retention ------------------------------------------------------------------------------

    def purge(self, *, now: datetime, dry_run: bool = False) -> PurgeReport:
        """Erase every suspended member past the retention period (a daily periodic task).
        Founders of projects still open are never erased by the purge: reported instead."""
        self._local_only()
        cutoff = privacy.retention_cutoff(now, self._config.retention_days)
        candidates = self._store.purge_candidates(cutoff=cutoff, today=now.date())
        erased, kept = [], []
        for candidate in candidates:
            if candidate.open_founded_project_ids:
                kept.append(candidate.person_id)
                continue
            if not dry_run:
                self.erase(candidate.person_id, now=now, reason=ErasureReason.RETENTION)
            erased.append(candidate.person_id)
        return PurgeReport(tuple(erased), tuple(kept), dry_run=dry_run, cutoff=cutoff)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def describe_counts(counts: ErasureCounts) -> list[tuple[str, int]]:
    """(what, how many) lines for people: ``identities deleted: 2``."""
    return [
        (field.name.replace("_", " "), getattr(counts, field.name))
        for field in dataclasses.fields(counts)
    ]
