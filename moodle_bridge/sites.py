"""``SqlMoodleSiteStore``: the ``MoodleSiteStore`` port (etwin_lti.domain.moodle) on our database.

Web-service tokens are encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256, from
``cryptography``). The Fernet key is derived from ``ETWIN_SECRET_KEY`` with HKDF-SHA256
(RFC 5869; salt ``etwin-lti/moodle-token/v1``, info ``fernet-key``, 32 bytes): the secret key is
already high-entropy (checked at start-up), so a slow password KDF such as PBKDF2 would add
nothing. Consequence: rotating ``ETWIN_SECRET_KEY`` makes stored tokens unreadable; run
``etwin-lti moodle add`` again for each site after a rotation (the error says so).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from datetime import datetime

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from etwin_lti.domain.moodle import (
    AcknowledgementTarget,
    CourseMapping,
    MarkState,
    MoodleSite,
    PollMark,
)
from etwin_lti.errors import (
    ConfigurationError,
    InvalidInputError,
    NotFoundError,
    RuleViolationError,
)
from etwin_lti.persistence.db import Database
from etwin_lti.persistence.models.moodle import MoodleMappingRow, MoodlePollMarkRow, MoodleSiteRow

KDF_SALT = b"etwin-lti/moodle-token/v1"
KDF_INFO = b"fernet-key"


def token_cipher(secret_key: str) -> Fernet:
    """The Fernet instance for Moodle tokens, derived from the tool's secret key."""
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=KDF_SALT, info=KDF_INFO).derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(key))


def normalise_site_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or "://" not in url or len(url) > 500:
        raise InvalidInputError(errors={"url": ["A Moodle site URL starts with http(s)://."]})
    return url


class SqlMoodleSiteStore:
    def __init__(self, database: Database, secret_key: str) -> None:
        self._database = database
        self._cipher = token_cipher(secret_key)

    # --- sites ----------------------------------------------------------------------------
    def add_site(
        self,
        url: str,
        token: str,
        *,
        now: datetime,
        issuer: str | None = None,
        label: str = "",
        site_name: str = "",
        release: str = "",
    ) -> MoodleSite:
        url = normalise_site_url(url)
        token = token.strip()
        if not token:
            raise InvalidInputError(errors={"token": ["The token file is empty."]})
        if len(label) > 200:
            raise InvalidInputError(errors={"label": ["At most 200 characters."]})
        row = MoodleSiteRow(
            url=url,
            issuer=(issuer or url).rstrip("/"),
            label=label,
            site_name=site_name[:300],
            release=release[:100],
            token_encrypted=self._cipher.encrypt(token.encode("utf-8")).decode("ascii"),
            created_at=now,
        )
        try:
            with self._database.session() as session:
                session.add(row)
                session.flush()
                return _site(row)
        except IntegrityError as error:
            raise RuleViolationError(f"The Moodle site {url} is registered already.") from error

    def get_site(self, site_id: int) -> MoodleSite:
        with self._database.session() as session:
            return _site(self._site_row(session, site_id))

    def list_sites(self) -> list[MoodleSite]:
        with self._database.session() as session:
            return [_site(r) for r in session.scalars(select(MoodleSiteRow).order_by("id"))]

    def site_token(self, site_id: int) -> str:
        with self._database.session() as session:
            encrypted = self._site_row(session, site_id).token_encrypted
        try:
            return self._cipher.decrypt(encrypted.encode("ascii")).decode("utf-8")
        except InvalidToken as error:
            raise ConfigurationError(
                f"The stored token of Moodle site {site_id} cannot be decrypted "
                "(ETWIN_SECRET_KEY changed?): register the site again with etwin-lti moodle add."
            ) from error

    # --- mappings -------------------------------------------------------------------------
    def add_mapping(
        self,
        site_id: int,
        course_id: int,
        target: AcknowledgementTarget,
        *,
        now: datetime,
        cmid: int | None = None,
    ) -> CourseMapping:
        errors: dict[str, list[str]] = {}
        if course_id < 1:
            errors["course_id"] = ["A Moodle course id is a positive integer."]
        if cmid is not None and cmid < 1:
            errors["cmid"] = ["A Moodle course module id is a positive integer."]
        if errors:
            raise InvalidInputError(errors=errors)
        try:
            with self._database.session() as session:
                self._site_row(session, site_id)
                row = MoodleMappingRow(
                    site_id=site_id,
                    course_id=course_id,
                    cmid=cmid or 0,
                    target=str(target),
                    created_at=now,
                )
                session.add(row)
                session.flush()
                return _mapping(row)
        except IntegrityError as error:
            raise RuleViolationError(
                f"Moodle course {course_id} is mapped to {target} already."
            ) from error

    def get_mapping(self, mapping_id: int) -> CourseMapping:
        with self._database.session() as session:
            row = session.get(MoodleMappingRow, mapping_id)
            if row is None:
                raise NotFoundError(f"No Moodle mapping {mapping_id}.")
            return _mapping(row)

    def list_mappings(self, *, site_id: int | None = None) -> list[CourseMapping]:
        with self._database.session() as session:
            query = select(MoodleMappingRow).order_by(MoodleMappingRow.id)
            if site_id is not None:
                self._site_row(session, site_id)
                query = query.where(MoodleMappingRow.site_id == site_id)
            return [_mapping(row) for row in session.scalars(query)]

    # --- poll state -----------------------------------------------------------------------
    def marks(self, mapping_id: int) -> Mapping[int, PollMark]:
        with self._database.session() as session:
            rows = session.scalars(
                select(MoodlePollMarkRow).where(MoodlePollMarkRow.mapping_id == mapping_id)
            )
            return {row.moodle_user_id: _mark(row) for row in rows}

    def record_mark(
        self,
        mapping_id: int,
        moodle_user_id: int,
        state: MarkState,
        *,
        now: datetime,
        person_id: int | None = None,
        acknowledgement_id: int | None = None,
    ) -> PollMark:
        # Insert, or on the unique (mapping, user) conflict of a concurrent poller, update.
        for _attempt in range(2):
            try:
                with self._database.session() as session:
                    row = session.scalar(
                        select(MoodlePollMarkRow).where(
                            MoodlePollMarkRow.mapping_id == mapping_id,
                            MoodlePollMarkRow.moodle_user_id == moodle_user_id,
                        )
                    )
                    if row is None:
                        row = MoodlePollMarkRow(
                            mapping_id=mapping_id, moodle_user_id=moodle_user_id
                        )
                        session.add(row)
                    elif MarkState(row.state).is_final and not state.is_final:
                        # Never forget an issued acknowledgement (e.g. a user who left later).
                        return _mark(row)
                    row.state = state.value
                    row.person_id = person_id if person_id is not None else row.person_id
                    if acknowledgement_id is not None:
                        row.acknowledgement_id = acknowledgement_id
                    row.updated_at = now
                    session.flush()
                    return _mark(row)
            except IntegrityError:
                continue
        raise RuleViolationError("The poll mark changed concurrently; poll again.")

    def finish_poll(self, mapping_id: int, *, now: datetime, error: str | None = None) -> None:
        with self._database.session() as session:
            row = session.get(MoodleMappingRow, mapping_id)
            if row is None:
                raise NotFoundError(f"No Moodle mapping {mapping_id}.")
            row.last_polled_at = now
            row.last_error = error

    def _site_row(self, session: Session, site_id: int) -> MoodleSiteRow:
        row = session.get(MoodleSiteRow, site_id)
        if row is None:
            raise NotFoundError(f"No Moodle site {site_id}.")
        return row


def _site(row: MoodleSiteRow) -> MoodleSite:
    return MoodleSite(
        id=row.id,
        url=row.url,
        issuer=row.issuer,
        label=row.label,
        site_name=row.site_name,
        release=row.release,
        created_at=row.created_at,
    )


def _mapping(row: MoodleMappingRow) -> CourseMapping:
    return CourseMapping(
        id=row.id,
        site_id=row.site_id,
        course_id=row.course_id,
        cmid=row.cmid or None,
        target=AcknowledgementTarget.parse(row.target),
        created_at=row.created_at,
        last_polled_at=row.last_polled_at,
        last_error=row.last_error,
    )


def _mark(row: MoodlePollMarkRow) -> PollMark:
    return PollMark(
        mapping_id=row.mapping_id,
        moodle_user_id=row.moodle_user_id,
        state=MarkState(row.state),
        person_id=row.person_id,
        acknowledgement_id=row.acknowledgement_id,
        updated_at=row.updated_at,
    )
