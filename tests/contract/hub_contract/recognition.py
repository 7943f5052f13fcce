"""The hub contract: Quality Labels, prizes and acknowledgements (domain-facts.md 1.5)."""

from __future__ import annotations

import pytest

from etwin_lti.domain.model import (
    AcknowledgementKind,
    NqlDecision,
    PrizeCategory,
)
from etwin_lti.domain.ports import HubPort
from etwin_lti.errors import (
    DuplicateAcknowledgementError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RuleViolationError,
)
from tests.contract.hub_contract.builders import (
    FAILING,
    PASSING,
    SCORES,
    UNKNOWN_ID,
    Refusal,
    _ack_call,
    _application_id,
    _applied,
    _eql_awarded,
    _european,
    _four_applications,
    _national_with_foreign_labels,
    _nql_call,
    _one_country_labels,
    _one_label,
    _refused,
    approved_project,
    labelled,
    newcomer,
    pending_project,
    school_year,
    teacher,
)

RECOGNITION_REFUSALS: list[Refusal] = [
    # --- Quality Labels (domain-facts.md 1.5)
    Refusal(
        "same-country (national) project applies for an NQL",
        RuleViolationError,
        _nql_call(
            _national_with_foreign_labels, lambda hub, p, a: hub.apply_nql(a, p.id, school_year())
        ),
    ),
    Refusal(
        "fifth NQL application in a school year",
        RuleViolationError,
        _nql_call(_four_applications, lambda hub, p, a: hub.apply_nql(a, p.id, school_year())),
    ),
    Refusal(
        "NQL by a teacher outside the project",
        PermissionDeniedError,
        _nql_call(
            _european, lambda hub, p, a: hub.apply_nql(newcomer(hub).id, p.id, school_year())
        ),
    ),
    Refusal(
        "NQL for a pending project",
        RuleViolationError,
        _nql_call(
            lambda hub: (lambda p: (p, p.founder_ids[0]))(pending_project(hub)),
            lambda hub, p, a: hub.apply_nql(a, p.id, school_year()),
        ),
    ),
    Refusal(
        "NQL applied twice",
        RuleViolationError,
        _nql_call(_applied, lambda hub, p, a: hub.apply_nql(a, p.id, school_year())),
    ),
    Refusal(
        "NQL school year with a slash",
        InvalidInputError,
        _nql_call(_european, lambda hub, p, a: hub.apply_nql(a, p.id, "2030/2031")),
        "school_year",
    ),
    Refusal(
        "NQL school year of two years",
        InvalidInputError,
        _nql_call(_european, lambda hub, p, a: hub.apply_nql(a, p.id, "2030-2032")),
        "school_year",
    ),
    Refusal(
        "NQL decided by another NSO",
        PermissionDeniedError,
        _nql_call(
            _applied,
            lambda hub, p, a: hub.decide_nql("IT", _application_id(hub, p, a), SCORES, PASSING),
        ),
    ),
    Refusal(
        "NQL decision missing a criterion",
        InvalidInputError,
        _nql_call(
            _applied,
            lambda hub, p, a: hub.decide_nql(
                "FR",
                _application_id(hub, p, a),
                {k: v for k, v in SCORES.items() if k != "collaboration"},
                PASSING,
            ),
        ),
        "scores",
    ),
    Refusal(
        "NQL score above the scale",
        InvalidInputError,
        _nql_call(
            _applied,
            lambda hub, p, a: hub.decide_nql(
                "FR", _application_id(hub, p, a), {**SCORES, "collaboration": 6}, PASSING
            ),
        ),
        "scores.collaboration",
    ),
    Refusal(
        "NQL unknown sub-criterion",
        InvalidInputError,
        _nql_call(
            _applied,
            lambda hub, p, a: hub.decide_nql(
                "FR", _application_id(hub, p, a), SCORES, {**PASSING, "creativity": 3}
            ),
        ),
        "sub_scores",
    ),
    Refusal(
        "NQL decided twice",
        RuleViolationError,
        _nql_call(
            _refused,
            lambda hub, p, a: hub.decide_nql("FR", _application_id(hub, p, a), SCORES, PASSING),
        ),
    ),
    Refusal(
        "EQL with one labelled country",
        RuleViolationError,
        _nql_call(_one_country_labels, lambda hub, p, a: hub.award_eql(p.id)),
    ),
    Refusal(
        "EQL with a single NQL",
        RuleViolationError,
        _nql_call(_one_label, lambda hub, p, a: hub.award_eql(p.id)),
    ),
    Refusal(
        "EQL for a national project",
        RuleViolationError,
        _nql_call(_national_with_foreign_labels, lambda hub, p, a: hub.award_eql(p.id)),
    ),
    Refusal(
        "EQL awarded twice",
        DuplicateAcknowledgementError,
        _nql_call(_eql_awarded, lambda hub, p, a: hub.award_eql(p.id)),
    ),
    # --- acknowledgements
    Refusal(
        "duplicate certificate",
        DuplicateAcknowledgementError,
        _ack_call(
            lambda hub, t, ack: hub.issue_acknowledgement(
                AcknowledgementKind.COURSE_CERTIFICATE, t.id, "edition:1", "Again"
            )
        ),
    ),
    Refusal(
        "acknowledgement with empty title",
        InvalidInputError,
        _ack_call(
            lambda hub, t, ack: hub.issue_acknowledgement(
                AcknowledgementKind.EVENT_CERTIFICATE, t.id, "event:1", ""
            ),
            issued=False,
        ),
        "title",
    ),
    Refusal(
        "acknowledgement with a malformed subject",
        InvalidInputError,
        _ack_call(
            lambda hub, t, ack: hub.issue_acknowledgement(
                AcknowledgementKind.EVENT_CERTIFICATE, t.id, "event 1", "Certificate"
            ),
            issued=False,
        ),
        "subject",
    ),
    Refusal(
        "acknowledgement for nobody",
        NotFoundError,
        _ack_call(
            lambda hub, t, ack: hub.issue_acknowledgement(
                AcknowledgementKind.EVENT_CERTIFICATE, UNKNOWN_ID, "event:1", "Certificate"
            ),
            issued=False,
        ),
    ),
    Refusal(
        "revoking twice",
        RuleViolationError,
        _ack_call(lambda hub, t, ack: hub.revoke_acknowledgement(ack.id, "Again"), revoked=True),
    ),
    Refusal(
        "revoking without a reason",
        InvalidInputError,
        _ack_call(lambda hub, t, ack: hub.revoke_acknowledgement(ack.id, "")),
        "reason",
    ),
]


class RecognitionContract:
    """Quality Labels, prizes and acknowledgements (domain-facts.md 1.5)

    Mixed into ``HubContract``, which provides the ``hub`` fixture.
    """

    def test_nql_eql_and_prize(self, hub: HubPort) -> None:
        project = approved_project(hub, age_band=PrizeCategory.AGE_7_11)
        fr, it = project.founder_ids
        partner = teacher(hub, "FR")
        project = hub.add_partner(fr, project.id, partner.id)
        before = hub.prize_eligibility(project.id, PrizeCategory.AGE_7_11)
        assert not before.eligible and before.reasons

        application = hub.apply_nql(fr, project.id, "2030-2031")
        assert (
            application.decision is NqlDecision.PENDING and application.school_year == "2030-2031"
        )
        granted = hub.decide_nql("FR", application.id, SCORES, PASSING)
        assert granted.decision is NqlDecision.GRANTED and granted.decided_by == "FR"
        assert granted.scores == SCORES and granted.sub_scores == PASSING

        refused = hub.decide_nql(
            "IT", hub.apply_nql(it, project.id, "2030-2031").id, SCORES, FAILING
        )
        assert refused.decision is NqlDecision.REFUSED
        with pytest.raises(RuleViolationError):
            hub.award_eql(project.id)  # one labelled country so far
        second = hub.apply_nql(it, project.id, "2031-2032")  # a new school year
        hub.decide_nql("IT", second.id, SCORES, PASSING)
        assert [a.id for a in hub.list_nql_applications(project_id=project.id, teacher_id=it)] == [
            refused.id,
            second.id,
        ]
        awarded = hub.award_eql(project.id)
        assert sorted(a.person_id for a in awarded) == sorted([fr, it])
        assert all(a.kind is AcknowledgementKind.EUROPEAN_QUALITY_LABEL for a in awarded)

        prize = hub.prize_eligibility(project.id, PrizeCategory.AGE_7_11)
        assert prize.eligible and prize.reasons == ()
        assert set(prize.eligible_teacher_ids) == {fr, it}  # only NQL holders
        other = hub.prize_eligibility(project.id, PrizeCategory.AGE_16_19)
        assert not other.eligible  # one category per project

        # a partner labelled later receives the EQL on the next award
        labelled(hub, project, partner.id, "FR")
        assert [a.person_id for a in hub.award_eql(project.id)] == [partner.id]

    def test_four_applications_per_school_year(self, hub: HubPort) -> None:
        project, applicant = _four_applications(hub)
        assert len(hub.list_nql_applications(teacher_id=applicant)) == 4
        hub.apply_nql(applicant, project.id, "2031-2032")  # the next school year is fine
        assert len(hub.list_nql_applications(teacher_id=applicant)) == 5

    def test_acknowledgements_once_and_revocable(self, hub: HubPort) -> None:
        t = teacher(hub)
        ack = hub.issue_acknowledgement(
            AcknowledgementKind.EVENT_CERTIFICATE,
            t.id,
            "event:77",
            "Certificate",
            evidence={"hours": "12"},
        )
        assert ack.evidence == {"hours": "12"} and ack.revoked_at is None
        other = hub.issue_acknowledgement(
            AcknowledgementKind.EVENT_CERTIFICATE, t.id, "event:78", "Certificate"
        )
        assert [a.id for a in hub.list_acknowledgements(person_id=t.id)] == [ack.id, other.id]
        assert [
            a.id for a in hub.list_acknowledgements(subject="event:77") if a.person_id == t.id
        ] == [ack.id]
        revoked = hub.revoke_acknowledgement(ack.id, "Issued by mistake")
        assert revoked.revoked_at is not None
        assert revoked.evidence["revocation_reason"] == "Issued by mistake"
        with pytest.raises(DuplicateAcknowledgementError):  # revoked still counts: at most once
            hub.issue_acknowledgement(
                AcknowledgementKind.EVENT_CERTIFICATE, t.id, "event:77", "Certificate"
            )
