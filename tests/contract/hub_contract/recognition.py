"""The hub contract: Quality Labels, prizes and acknowledgements (domain-facts.md 1.5)."""

from __future__ import annotations

import pytest

from etwin_lti.domain.acknowledgements import (
    EqlAlreadyAwardedError,
    EqlNotHeldError,
    EqlWithdrawnError,
)
from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
    NqlDecision,
    PrizeCategory,
    Project,
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
    _eql_withdrawn,
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


def _labelled_after_withdrawal(hub: HubPort) -> tuple[Project, int]:
    project, applicant = _eql_withdrawn(hub)
    partner = teacher(hub, "PL")
    project = hub.add_partner(applicant, project.id, partner.id)
    labelled(hub, project, partner.id, "PL")
    return project, partner.id


RECOGNITION_REFUSALS: list[Refusal] = [
    # --- Quality Labels (domain-facts.md 1.5)
    Refusal(
        "same-country (national) project applies for an NQL",
        RuleViolationError,
        _nql_call(_national_with_foreign_labels, lambda hub, p, a: hub.apply_nql(a, p.id)),
    ),
    Refusal(
        "fifth NQL application in a school year",
        RuleViolationError,
        _nql_call(_four_applications, lambda hub, p, a: hub.apply_nql(a, p.id)),
    ),
    Refusal(
        "NQL by a teacher outside the project",
        PermissionDeniedError,
        _nql_call(_european, lambda hub, p, a: hub.apply_nql(newcomer(hub).id, p.id)),
    ),
    Refusal(
        "NQL for a pending project",
        RuleViolationError,
        _nql_call(
            lambda hub: (lambda p: (p, p.founder_ids[0]))(pending_project(hub)),
            lambda hub, p, a: hub.apply_nql(a, p.id),
        ),
    ),
    Refusal(
        "NQL applied twice",
        RuleViolationError,
        _nql_call(_applied, lambda hub, p, a: hub.apply_nql(a, p.id)),
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
        "EQL awarded by the CSS after the rule did",
        EqlAlreadyAwardedError,
        _nql_call(_eql_awarded, lambda hub, p, a: hub.award_eql(p.id)),
    ),
    Refusal(
        "EQL awarded by the CSS after its withdrawal",
        EqlWithdrawnError,
        _nql_call(_eql_withdrawn, lambda hub, p, a: hub.award_eql(p.id)),
    ),
    Refusal(
        "EQL withdrawn without a reason",
        InvalidInputError,
        _nql_call(_eql_awarded, lambda hub, p, a: hub.withdraw_eql(p.id, "  ")),
        "reason",
    ),
    Refusal(
        "EQL withdrawn from a project that holds none",
        EqlNotHeldError,
        _nql_call(_one_label, lambda hub, p, a: hub.withdraw_eql(p.id, "Why")),
    ),
    Refusal(
        "EQL withdrawn twice",
        EqlWithdrawnError,
        _nql_call(_eql_withdrawn, lambda hub, p, a: hub.withdraw_eql(p.id, "Again")),
    ),
    Refusal(
        "NQL granted after the EQL's withdrawal: no EQL by rule",
        # the refused call is the CSS's award; the NQL itself is granted in arrange
        EqlWithdrawnError,
        _nql_call(
            lambda hub: _labelled_after_withdrawal(hub),
            lambda hub, p, a: hub.award_eql(p.id),
        ),
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
    # --- every caller, an admin token included, goes through the labels' own procedure
    *(
        Refusal(
            f"{kind.value} through the generic issue call",
            RuleViolationError,
            _ack_call(
                lambda hub, t, ack, kind=kind: hub.issue_acknowledgement(
                    kind, t.id, "project:1", "Label"
                ),
                issued=False,
            ),
        )
        for kind in (
            AcknowledgementKind.NATIONAL_QUALITY_LABEL,
            AcknowledgementKind.EUROPEAN_QUALITY_LABEL,
            AcknowledgementKind.ETWINNING_LABEL,
        )
    ),
    Refusal(
        "course certificate naming an event",
        InvalidInputError,
        _ack_call(
            lambda hub, t, ack: hub.issue_acknowledgement(
                AcknowledgementKind.COURSE_CERTIFICATE, t.id, "event:1", "Certificate"
            ),
            issued=False,
        ),
        "subject",
    ),
    Refusal(
        "event certificate naming a course edition",
        InvalidInputError,
        _ack_call(
            lambda hub, t, ack: hub.issue_acknowledgement(
                AcknowledgementKind.EVENT_CERTIFICATE, t.id, "edition:1", "Certificate"
            ),
            issued=False,
        ),
        "subject",
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

        application = hub.apply_nql(fr, project.id)
        assert (
            application.decision is NqlDecision.PENDING
            and application.school_year == school_year()  # today's, never the caller's
        )
        granted = hub.decide_nql("FR", application.id, SCORES, PASSING)
        assert granted.decision is NqlDecision.GRANTED and granted.decided_by == "FR"
        assert granted.scores == SCORES and granted.sub_scores == PASSING

        refused = hub.decide_nql("IT", hub.apply_nql(it, project.id).id, SCORES, FAILING)
        assert refused.decision is NqlDecision.REFUSED
        with pytest.raises(RuleViolationError):
            hub.award_eql(project.id)  # one labelled country so far
        with pytest.raises(RuleViolationError):
            hub.apply_nql(it, project.id)  # once per school year (the next: test_local_hub)
        italian = teacher(hub, "IT")
        hub.add_partner(fr, project.id, italian.id)
        second = hub.apply_nql(italian.id, project.id)
        hub.decide_nql("IT", second.id, SCORES, PASSING)
        assert [a.id for a in hub.list_nql_applications(project_id=project.id, teacher_id=it)] == [
            refused.id
        ]
        # The second country's NQL completed the rule: the EQL came with it, to both holders.
        awarded = _eql_of(hub, project.id)
        assert sorted(a.person_id for a in awarded) == sorted([fr, italian.id])
        nqls = {
            a.id
            for a in hub.list_acknowledgements(subject=f"project:{project.id}")
            if a.kind is AcknowledgementKind.NATIONAL_QUALITY_LABEL
        }
        for eql in awarded:
            assert eql.evidence["awarded_by"] == "rule"
            assert eql.evidence["nql_countries"] == "FR,IT"
            assert eql.evidence["nql_country_names"] == "France|Italy"
            assert {int(i) for i in eql.evidence["nql_ids"].split(",")} == nqls
        with pytest.raises(EqlAlreadyAwardedError):  # the CSS's call: nothing left to award
            hub.award_eql(project.id)

        prize = hub.prize_eligibility(project.id, PrizeCategory.AGE_7_11)
        assert prize.eligible and prize.reasons == ()
        assert set(prize.eligible_teacher_ids) == {fr, italian.id}  # only NQL holders
        other = hub.prize_eligibility(project.id, PrizeCategory.AGE_16_19)
        assert not other.eligible  # one category per project

        # a partner labelled later receives the EQL with their own NQL
        labelled(hub, project, partner.id, "FR")
        assert sorted(a.person_id for a in _eql_of(hub, project.id)) == sorted(
            [fr, italian.id, partner.id]
        )

    def test_css_withdraws_the_eql_and_the_rule_never_gives_it_back(self, hub: HubPort) -> None:
        project = approved_project(hub, age_band=PrizeCategory.AGE_12_15)
        fr, it = project.founder_ids
        labelled(hub, project, fr, "FR")
        labelled(hub, project, it, "IT")
        assert len(_eql_of(hub, project.id)) == 2
        assert project.twinspace_id is not None
        shown = hub.twinspace_snapshot(project.twinspace_id).eql  # what the TwinSpace page says
        assert shown is not None and shown.withdrawn_on is None
        assert (shown.awarded_by, shown.country_codes) == ("rule", ("FR", "IT"))
        assert shown.country_names == ("France", "Italy")

        withdrawn = hub.withdraw_eql(project.id, "The evidence was copied.")
        assert sorted(a.person_id for a in withdrawn) == sorted([fr, it])
        assert all(a.revoked_at is not None for a in withdrawn)
        assert {a.evidence["withdrawal_reason"] for a in withdrawn} == {"The evidence was copied."}
        assert all(a.revoked_at is not None for a in _eql_of(hub, project.id))
        prize = hub.prize_eligibility(project.id, PrizeCategory.AGE_12_15)
        assert not prize.eligible  # the Prizes need a held EQL

        polish = teacher(hub, "PL")
        hub.add_partner(fr, project.id, polish.id)
        labelled(hub, project, polish.id, "PL")  # a third country's NQL: still no EQL
        assert polish.id not in {a.person_id for a in _eql_of(hub, project.id)}
        with pytest.raises(EqlWithdrawnError):
            hub.award_eql(project.id)
        shown = hub.twinspace_snapshot(project.twinspace_id).eql
        assert shown is not None and shown.withdrawn_on is not None
        assert shown.withdrawal_reason == "The evidence was copied."

    def test_nql_needs_the_criteria_total(self, hub: HubPort) -> None:
        """0/25 on the five criteria is no label, even with every sub-criterion met."""
        project, applicant = _european(hub)
        zero = {name: 0 for name in SCORES}
        decided = hub.decide_nql("FR", hub.apply_nql(applicant, project.id).id, zero, PASSING)
        assert decided.decision is NqlDecision.REFUSED
        kinds = {a.kind for a in hub.list_acknowledgements(person_id=applicant)}
        assert AcknowledgementKind.NATIONAL_QUALITY_LABEL not in kinds

    def test_four_applications_per_school_year(self, hub: HubPort) -> None:
        project, applicant = _four_applications(hub)
        assert len(hub.list_nql_applications(teacher_id=applicant)) == 4
        with pytest.raises(RuleViolationError):
            hub.apply_nql(applicant, project.id)  # the next school year: test_local_hub
        assert len(hub.list_nql_applications(teacher_id=applicant)) == 4

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


def _eql_of(hub: HubPort, project_id: int) -> list[Acknowledgement]:
    return [
        a
        for a in hub.list_acknowledgements(subject=f"project:{project_id}")
        if a.kind is AcknowledgementKind.EUROPEAN_QUALITY_LABEL
    ]
