"""The legal clocks of data-subject requests, per jurisdiction (../shared/rules.md):

- GDPR Art. 12(3): answer within one calendar month of receipt (31 January -> 28/29 February),
  extendable by two further months if the requester is told, with reasons, within the first.
- CCPA §1798.130 and Regs §7021: acknowledge within 10 business days; answer within 45
  calendar days; one 45-day extension if the consumer is told within the first 45 days.
- Elsewhere the shop answers as it would under GDPR (one month): the strictest common clock.

Business days skip Saturdays and Sundays; public holidays are not counted out (a shorter
clock is the safe side). Times are UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from tutela.core.retention_due import add_period

# EU member states, the other EEA states and the United Kingdom (UK GDPR).
GDPR_COUNTRIES = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "IS",
        "LI",
        "NO",
        "GB",
    }
)


class Jurisdiction(StrEnum):
    GDPR = "gdpr"
    CCPA = "ccpa"
    OTHER = "other"


@dataclass(frozen=True)
class Clock:
    jurisdiction: Jurisdiction
    received_at: datetime
    acknowledge_by: datetime | None  # CCPA only
    due_at: datetime
    extended_due_at: datetime  # the latest answer date if the one extension is taken
    extension_deadline: datetime  # an extension must be noticed before this


def jurisdiction_of(country: str | None, state: str | None) -> Jurisdiction:
    if country in GDPR_COUNTRIES:
        return Jurisdiction.GDPR
    if country == "US" and (state or "").upper() in {"CA", "CALIFORNIA"}:
        return Jurisdiction.CCPA
    return Jurisdiction.OTHER


def add_business_days(start: datetime, days: int) -> datetime:
    at = start
    left = days
    while left:
        at += timedelta(days=1)
        if at.weekday() < 5:
            left -= 1
    return at


def clock_for(jurisdiction: Jurisdiction, received_at: datetime) -> Clock:
    if jurisdiction is Jurisdiction.CCPA:
        due = received_at + timedelta(days=45)
        return Clock(jurisdiction, received_at, add_business_days(received_at, 10), due,
                     received_at + timedelta(days=90), due)  # fmt: skip
    due = add_period(received_at, 1, "months")
    return Clock(jurisdiction, received_at, None, due, add_period(received_at, 3, "months"), due)
