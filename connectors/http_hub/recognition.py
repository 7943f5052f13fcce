"""Quality Labels, prizes and acknowledgements over ``/api/v1``."""

from __future__ import annotations

from collections.abc import Mapping

from connectors.http_hub.base import HttpHubBase
from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
    NqlApplication,
    PrizeCategory,
    PrizeEligibility,
)
from schemas.api.acknowledgements import (
    AcknowledgementSchema,
    NqlApplicationSchema,
    PrizeEligibilitySchema,
)


class RecognitionArea(HttpHubBase):
    def apply_nql(self, actor_id: int, project_id: int) -> NqlApplication:
        body = {"actor_id": actor_id}
        return self._call(
            "POST", f"/projects/{project_id}/nql-applications", NqlApplicationSchema(), body=body
        )

    def decide_nql(
        self,
        nso_country_code: str,
        application_id: int,
        scores: Mapping[str, int],
        sub_scores: Mapping[str, int],
    ) -> NqlApplication:
        body = {
            "nso_country_code": nso_country_code,
            "scores": dict(scores),
            "sub_scores": dict(sub_scores),
        }
        return self._call(
            "POST",
            f"/nql-applications/{application_id}/decision",
            NqlApplicationSchema(),
            body=body,
        )

    def list_nql_applications(
        self, *, project_id: int | None = None, teacher_id: int | None = None
    ) -> list[NqlApplication]:
        query = {"project_id": project_id, "teacher_id": teacher_id}
        return self._call("GET", "/nql-applications", NqlApplicationSchema(many=True), query=query)

    def award_eql(self, project_id: int) -> list[Acknowledgement]:
        return self._call(
            "POST", f"/projects/{project_id}/eql", AcknowledgementSchema(many=True), body={}
        )

    def withdraw_eql(self, project_id: int, reason: str) -> list[Acknowledgement]:
        return self._call(
            "POST",
            f"/projects/{project_id}/eql/withdrawal",
            AcknowledgementSchema(many=True),
            body={"reason": reason},
        )

    def prize_eligibility(self, project_id: int, category: PrizeCategory) -> PrizeEligibility:
        return self._call(
            "GET",
            f"/projects/{project_id}/prize-eligibility",
            PrizeEligibilitySchema(),
            query={"category": str(category)},
        )

    def issue_acknowledgement(
        self,
        kind: AcknowledgementKind,
        person_id: int,
        subject: str,
        title: str,
        *,
        evidence: Mapping[str, str] | None = None,
    ) -> Acknowledgement:
        body = {
            "kind": kind,
            "person_id": person_id,
            "subject": subject,
            "title": title,
            "evidence": dict(evidence) if evidence is not None else None,
        }
        return self._call("POST", "/acknowledgements", AcknowledgementSchema(), body=body)

    def get_acknowledgement(self, acknowledgement_id: int) -> Acknowledgement:
        return self._call("GET", f"/acknowledgements/{acknowledgement_id}", AcknowledgementSchema())

    def revoke_acknowledgement(self, acknowledgement_id: int, reason: str) -> Acknowledgement:
        return self._call(
            "POST",
            f"/acknowledgements/{acknowledgement_id}/revocation",
            AcknowledgementSchema(),
            body={"reason": reason},
        )

    def list_acknowledgements(
        self, *, person_id: int | None = None, subject: str | None = None
    ) -> list[Acknowledgement]:
        query = {"person_id": person_id, "subject": subject}
        return self._call("GET", "/acknowledgements", AcknowledgementSchema(many=True), query=query)
