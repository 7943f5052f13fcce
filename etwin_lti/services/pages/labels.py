"""How a project's European Quality Label reads on its pages (the TwinSpace, the public page)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from etwin_lti.domain.acknowledgements import EQL_BY_RULE, EqlStatus


@dataclass(frozen=True)
class EqlLine:
    """ "European Quality Label — awarded on <date> because it holds NQLs from X and Y"."""

    awarded_on: date
    countries: tuple[str, ...]  # "France and Italy" in the page's language (|spoken_list)
    by_rule: bool
    withdrawn_on: date | None
    withdrawal_reason: str | None


def eql_line(status: EqlStatus | None) -> EqlLine | None:
    if status is None:
        return None
    return EqlLine(
        awarded_on=status.awarded_on,
        countries=tuple(status.country_names),
        by_rule=status.awarded_by == EQL_BY_RULE,
        withdrawn_on=status.withdrawn_on,
        withdrawal_reason=status.withdrawal_reason,
    )
