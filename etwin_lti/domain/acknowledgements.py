"""Labels, prizes and certificates (domain-facts.md 1.5, 1.7; course unit 1).

The hub records the decisions people at the NSO and CSS take; it awards no label by itself,
except the European Quality Label, which the seed says is automatic (below).

National Quality Label (ESEP rules, domain-facts.md 1.5):
- applied for by a teacher (founder or partner) of a **European** project; national projects
  cannot apply; the teacher's country must be set, since their NSO decides;
- at most four applications per teacher per school year ("only the first four are evaluated":
  here the fifth is refused outright, so a teacher learns it at once). The school year is the
  one of the application's date (``school_year_of``), never one the caller names: a caller
  choosing it would make the limit void;
- the applicant's NSO scores the five criteria and the three sub-criteria that need a minimum
  (online collaboration among pupils, use of ICT, GDPR/copyright/eSafety).

ESEP publishes the criteria but not the scales, so the scales and minimums are our choice, kept
here as named constants: each of the five criteria is scored 0-5 (total 0-25, which makes the
EQL's published "average score above 20 points" a meaningful bar); each sub-criterion is
scored 0-5 and needs at least 3 (above the middle of the scale). The NQL is granted when every
sub-criterion meets its minimum and the five criteria total at least ``NQL_MIN_TOTAL_SCORE``
(13 of 25: more than half the scale, so 0/25 on the criteria is never a label).

European Quality Label, by rule (the seed, unit 1: "Whenever a project receives at least two
National Quality Labels from two different European countries, it will automatically be awarded
the European Quality Label"): when an NSO grants an NQL and the project's NQLs now come from two
different countries, the EQL is awarded in the same transaction to the project's NQL holders,
recorded as awarded by the rule with its evidence (which NQLs, which countries); a holder
labelled later receives it with their own NQL. Never to a national project, even one that later
took foreign partners, and never to a project its NSOs did not approve. The CSS may withdraw it
with a reason; a withdrawn EQL is never awarded again by the rule, nor by the CSS's own award
call (which stays for projects labelled before the rule existed). Required for the European
Prizes. See "The EQL by rule" below.

Every caller goes through these rules, an admin token included: the labels (NQL, EQL, the
eTwinning Label of an approved project) are issued only by their own procedure, never by the
generic "issue an acknowledgement" call, which records certificates only (``check_issue``).

European Prizes (since 2021, domain-facts.md 1.7): one category per project (age bands or
Initial VET); only partners holding an NQL share a prize.

Every acknowledgement is issued at most once per (kind, person, subject); the store enforces it
with a unique constraint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from etwin_lti.domain.model import (
    Acknowledgement,
    AcknowledgementKind,
    NqlApplication,
    NqlCriterion,
    NqlDecision,
    NqlSubCriterion,
    PrizeCategory,
    PrizeEligibility,
    Project,
    ProjectScope,
    ProjectStatus,
)
from etwin_lti.domain.people import CountryRequiredError
from etwin_lti.domain.translatable import N_
from etwin_lti.domain.validation import FieldErrors
from etwin_lti.errors import (
    DuplicateAcknowledgementError,
    InvalidInputError,
    PermissionDeniedError,
    RuleViolationError,
)

MAX_NQL_APPLICATIONS_PER_SCHOOL_YEAR = 4
CRITERION_MIN_SCORE = 0
CRITERION_MAX_SCORE = 5
SUB_CRITERION_MIN_SCORE = 0
SUB_CRITERION_MAX_SCORE = 5
NQL_MIN_TOTAL_SCORE = 13
SUB_CRITERION_MINIMUMS: Mapping[NqlSubCriterion, int] = {
    NqlSubCriterion.PUPIL_COLLABORATION: 3,
    NqlSubCriterion.USE_OF_ICT: 3,
    NqlSubCriterion.GDPR_COPYRIGHT_ESAFETY: 3,
}
# Published for the EQL nomination (domain-facts.md 1.5, "variant 2"); informative only: the
# CSS decides, the hub checks the two-countries rule.
EQL_NOMINATION_AVERAGE_ABOVE = 20
EQL_MIN_COUNTRIES = 2

# The eTwinning school year runs from September to August, as European school years do
# (domain-facts.md 1.5 counts applications "per school year" without naming the months; NSOs
# evaluate in the autumn, e.g. Cyprus in October, after the year's projects closed in summer).
SCHOOL_YEAR_FIRST_MONTH = 9

# Kinds issued only by their own procedure (NSO decision, CSS award, project approval).
LABEL_KINDS = frozenset(
    {
        AcknowledgementKind.NATIONAL_QUALITY_LABEL,
        AcknowledgementKind.EUROPEAN_QUALITY_LABEL,
        AcknowledgementKind.ETWINNING_LABEL,
    }
)
# What a certificate is about: the subject a certificate names must be of this kind.
CERTIFICATE_SUBJECT_PREFIX: Mapping[AcknowledgementKind, str] = {
    AcknowledgementKind.EVENT_CERTIFICATE: "event:",
    AcknowledgementKind.COURSE_CERTIFICATE: "edition:",
}


class NqlApplicationLimitError(RuleViolationError):
    error = "nql_application_limit"
    description = N_(
        "A teacher can apply for at most %(most)s National Quality Labels per school year."
    )

    def __init__(self) -> None:
        super().__init__(params={"most": MAX_NQL_APPLICATIONS_PER_SCHOOL_YEAR})


class NationalProjectError(RuleViolationError):
    error = "national_project"
    description = N_("National projects cannot apply for Quality Labels.")


class EqlNotEarnedError(RuleViolationError):
    error = "eql_not_earned"
    description = N_(
        "The European Quality Label needs at least two partners from two different countries "
        "holding a National Quality Label for this project."
    )


class LabelProcedureError(RuleViolationError):
    error = "label_procedure"
    description = N_(
        "Quality Labels and the eTwinning Label are issued only by their own procedure "
        "(the NSO's decision, the CSS's award, the project's approval)."
    )


def school_year_of(day: date) -> str:
    """The school year a day falls in, e.g. 2026-09-01 and 2027-08-31 are both "2026-2027"."""
    first = day.year if day.month >= SCHOOL_YEAR_FIRST_MONTH else day.year - 1
    return f"{first}-{first + 1}"


def check_issue(kind: AcknowledgementKind) -> None:
    """The generic issue call records certificates; labels have their own procedure."""
    if kind in LABEL_KINDS:
        raise LabelProcedureError()


def check_certificate_subject(kind: AcknowledgementKind, subject: str) -> None:
    """A certificate names what it certifies: an event or a course edition."""
    prefix = CERTIFICATE_SUBJECT_PREFIX.get(kind)
    if prefix is not None and not subject.startswith(prefix):
        raise InvalidInputError(
            errors={"subject": [f"A {kind.value} names its subject as '{prefix}<id>'."]}
        )


def check_nql_application(
    project: Project,
    teacher_id: int,
    *,
    teacher_ids: Sequence[int],
    applications_this_year: Iterable[NqlApplication],
    holds_nql: bool,
    teacher_country: str | None,
) -> None:
    """``applications_this_year``: every application of this teacher in the school year."""
    if teacher_id not in teacher_ids:
        raise PermissionDeniedError(
            N_("Only a founder or partner teacher of the project can apply.")
        )
    if teacher_country is None:
        raise CountryRequiredError(
            errors={
                "actor_id": [
                    "Set your country in your eTwinning profile before applying for a "
                    "National Quality Label."
                ]
            }
        )
    if project.scope is not ProjectScope.EUROPEAN:
        raise NationalProjectError()
    if project.status is ProjectStatus.PENDING:
        raise RuleViolationError(N_("The project is still waiting for its NSOs' validation."))
    if holds_nql:
        raise RuleViolationError(N_("You already hold a National Quality Label for this project."))
    this_year = list(applications_this_year)
    if any(a.project_id == project.id for a in this_year):
        raise RuleViolationError(N_("You have already applied for this project this school year."))
    if len(this_year) >= MAX_NQL_APPLICATIONS_PER_SCHOOL_YEAR:
        raise NqlApplicationLimitError()


def check_nql_decider(
    application: NqlApplication, nso_country_code: str, teacher_country: str | None
) -> None:
    if nso_country_code != teacher_country:
        raise PermissionDeniedError(N_("Only the applicant's own NSO evaluates the application."))
    if application.decision is not NqlDecision.PENDING:
        raise RuleViolationError(N_("This application has already been decided."))


def check_scores(
    scores: Mapping[str, int], sub_scores: Mapping[str, int]
) -> tuple[dict[str, int], dict[str, int]]:
    """Exactly the five criteria and the three sub-criteria, each on its scale."""
    errors = FieldErrors()
    clean = _scores(
        errors,
        "scores",
        scores,
        [c.value for c in NqlCriterion],
        CRITERION_MIN_SCORE,
        CRITERION_MAX_SCORE,
    )
    clean_sub = _scores(
        errors,
        "sub_scores",
        sub_scores,
        [c.value for c in NqlSubCriterion],
        SUB_CRITERION_MIN_SCORE,
        SUB_CRITERION_MAX_SCORE,
    )
    errors.raise_if_any()
    return clean, clean_sub


def _scores(
    errors: FieldErrors,
    field: str,
    given: Mapping[str, int],
    expected: list[str],
    low: int,
    high: int,
) -> dict[str, int]:
    if not isinstance(given, Mapping):
        errors.add(field, "Must map each criterion to a score.")
        return {}
    unknown = sorted(set(given) - set(expected))
    if unknown:
        errors.add(field, f"Unknown criteria: {', '.join(map(str, unknown))}.")
    missing = [name for name in expected if name not in given]
    if missing:
        errors.add(field, f"Missing scores: {', '.join(missing)}.")
    clean: dict[str, int] = {}
    for name in expected:
        if name not in given:
            continue
        value = given[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors.add(f"{field}.{name}", f"Must be a whole number from {low} to {high}.")
        else:
            clean[name] = value
    return clean


def nql_decision(scores: Mapping[str, int], sub_scores: Mapping[str, int]) -> NqlDecision:
    """Granted when every sub-criterion reaches its minimum and the criteria reach the total."""
    for criterion, minimum in SUB_CRITERION_MINIMUMS.items():
        if sub_scores.get(criterion.value, SUB_CRITERION_MIN_SCORE) < minimum:
            return NqlDecision.REFUSED
    if sum(scores.get(c.value, CRITERION_MIN_SCORE) for c in NqlCriterion) < NQL_MIN_TOTAL_SCORE:
        return NqlDecision.REFUSED
    return NqlDecision.GRANTED


def project_subject(project_id: int) -> str:
    return f"project:{project_id}"


def held(
    acknowledgements: Iterable[Acknowledgement], kind: AcknowledgementKind
) -> list[Acknowledgement]:
    """The unrevoked acknowledgements of one kind."""
    return [a for a in acknowledgements if a.kind is kind and a.revoked_at is None]


def prize_eligibility(
    project: Project,
    category: PrizeCategory,
    *,
    has_eql: bool,
    nql_holder_ids: Iterable[int],
) -> PrizeEligibility:
    reasons: list[str] = []
    if project.scope is not ProjectScope.EUROPEAN:
        reasons.append("National projects cannot take part in the European Prizes.")
    if not has_eql:
        reasons.append("The project needs the European Quality Label first.")
    if project.age_band is not None and project.age_band is not category:
        reasons.append(
            f"A project applies in one category only: this one is registered in "
            f"'{project.age_band.value}'."
        )
    holders = tuple(sorted(set(nql_holder_ids)))
    return PrizeEligibility(
        project_id=project.id,
        category=category,
        eligible=not reasons,
        reasons=tuple(reasons),
        eligible_teacher_ids=holders,
    )


# --- The EQL by rule (issue 12 item 6) ------------------------------------------------------------

EQL_BY_RULE = "rule"  # awarded in the NSO decision's transaction that completed the rule
EQL_BY_CSS = "css"  # the CSS's award call, for NQLs granted before the rule existed
# Evidence keys of an EQL acknowledgement. The withdrawal key marks the CSS's decision, which
# a generic revocation (``revocation_reason`` only) does not make.
AWARDED_BY = "awarded_by"
NQL_IDS = "nql_ids"
NQL_COUNTRIES = "nql_countries"
NQL_COUNTRY_NAMES = "nql_country_names"
WITHDRAWAL_REASON = "withdrawal_reason"
NAME_SEPARATOR = "|"


class EqlWithdrawnError(RuleViolationError):
    error = "eql_withdrawn"
    description = N_(
        "The CSS withdrew this project's European Quality Label: it is not awarded again."
    )


class EqlAlreadyAwardedError(DuplicateAcknowledgementError):
    """The CSS's award call finds nothing to do: the rule awarded it already (409)."""

    error = "eql_already_awarded"
    description = N_(
        "Every NQL holder of this project already holds the European Quality Label: it is "
        "awarded by the rule as soon as NQLs from two different countries are granted."
    )


class EqlNotHeldError(RuleViolationError):
    error = "eql_not_held"
    description = N_("This project holds no European Quality Label to withdraw.")


@dataclass(frozen=True)
class HeldNql:
    """One unrevoked NQL of the project, with the country of the NSO that granted it."""

    acknowledgement_id: int
    person_id: int
    country_code: str


@dataclass(frozen=True)
class EqlAward:
    recipient_ids: tuple[int, ...]
    evidence: dict[str, str]  # stored on each EQL and in the audit entry


@dataclass(frozen=True)
class EqlStatus:
    """What the TwinSpace page and the public page say about the project's EQL."""

    awarded_on: date
    awarded_by: str  # EQL_BY_RULE or EQL_BY_CSS
    country_codes: tuple[str, ...]
    country_names: tuple[str, ...]  # as recorded at the award, in the order of the codes
    withdrawn_on: date | None = None
    withdrawal_reason: str | None = None


def eql_withdrawn(eql: Iterable[Acknowledgement]) -> bool:
    return any(WITHDRAWAL_REASON in a.evidence for a in eql)


def eql_award(
    project: Project,
    nqls: Sequence[HeldNql],
    eql: Sequence[Acknowledgement],
    *,
    awarded_by: str,
    country_names: Mapping[str, str] | None = None,
) -> EqlAward:
    """Who receives the EQL now, and the evidence. ``eql``: every EQL of the project, revoked
    ones too (a revoked one still holds its holder's slot: at most once per person)."""
    if project.scope is not ProjectScope.EUROPEAN:
        raise NationalProjectError(N_("National projects are never awarded the EQL."))
    if project.approved_at is None:
        raise RuleViolationError(N_("The project is still waiting for its NSOs' validation."))
    if eql_withdrawn(eql):
        raise EqlWithdrawnError()
    countries = sorted({n.country_code for n in nqls if n.country_code})
    if len(countries) < EQL_MIN_COUNTRIES:
        raise EqlNotEarnedError()
    have = {a.person_id for a in eql}
    recipients = tuple(sorted({n.person_id for n in nqls} - have))
    if not recipients:
        raise EqlAlreadyAwardedError()
    names = country_names or {}
    evidence = {
        "project_id": str(project.id),
        AWARDED_BY: awarded_by,
        NQL_IDS: ",".join(str(n.acknowledgement_id) for n in sorted(nqls, key=_by_id)),
        NQL_COUNTRIES: ",".join(countries),
        # Names may hold commas one day (the country list is data): another separator.
        NQL_COUNTRY_NAMES: NAME_SEPARATOR.join(names.get(code, code) for code in countries),
    }
    return EqlAward(recipients, evidence)


def _by_id(nql: HeldNql) -> int:
    return nql.acknowledgement_id


def eql_by_rule(
    project: Project,
    nqls: Sequence[HeldNql],
    eql: Sequence[Acknowledgement],
    *,
    country_names: Mapping[str, str] | None = None,
) -> EqlAward | None:
    """The rule, checked after an NQL was granted: the award when it holds; None while NQLs
    come from one country only, when every holder has it, or once the CSS withdrew it."""
    try:
        return eql_award(project, nqls, eql, awarded_by=EQL_BY_RULE, country_names=country_names)
    except RuleViolationError:
        return None


def check_eql_withdrawal(eql: Sequence[Acknowledgement]) -> list[Acknowledgement]:
    """The EQLs the CSS's withdrawal revokes: every unrevoked one (409 when none, or twice)."""
    if eql_withdrawn(eql):
        raise EqlWithdrawnError(
            N_("The CSS already withdrew this project's European Quality Label.")
        )
    held_now = [a for a in eql if a.revoked_at is None]
    if not held_now:
        raise EqlNotHeldError()
    return held_now


def eql_status(acknowledgements: Iterable[Acknowledgement]) -> EqlStatus | None:
    """The project's EQL from its acknowledgements: None when it was never awarded (or every
    holder's was revoked one by one, which is not the CSS's withdrawal)."""
    eql = [a for a in acknowledgements if a.kind is AcknowledgementKind.EUROPEAN_QUALITY_LABEL]
    withdrawn = [a for a in eql if WITHDRAWAL_REASON in a.evidence]
    if not withdrawn and not held(eql, AcknowledgementKind.EUROPEAN_QUALITY_LABEL):
        return None
    first = min(eql, key=lambda a: (a.issued_at, a.id))
    codes = tuple(c for c in first.evidence.get(NQL_COUNTRIES, "").split(",") if c)
    names = tuple(n for n in first.evidence.get(NQL_COUNTRY_NAMES, "").split(NAME_SEPARATOR) if n)
    last_withdrawal = max(
        withdrawn, key=lambda a: (a.revoked_at or a.issued_at, a.id), default=None
    )
    return EqlStatus(
        awarded_on=first.issued_at.date(),
        awarded_by=first.evidence.get(AWARDED_BY, EQL_BY_CSS),
        country_codes=codes,
        country_names=names if len(names) == len(codes) else codes,
        withdrawn_on=(
            last_withdrawal.revoked_at.date()
            if last_withdrawal is not None and last_withdrawal.revoked_at is not None
            else None
        ),
        withdrawal_reason=(
            last_withdrawal.evidence[WITHDRAWAL_REASON] if last_withdrawal is not None else None
        ),
    )
