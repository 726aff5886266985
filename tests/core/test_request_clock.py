"""The legal clocks of data-subject requests: calendar months, business days, extensions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tutela.core.request_clock import Jurisdiction, add_business_days, clock_for, jurisdiction_of


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "due", "extended"),
    [
        ("2026-01-31T10:00", "2026-02-28T10:00", "2026-04-30T10:00"),  # no 31 February
        ("2028-01-31T10:00", "2028-02-29T10:00", "2028-04-30T10:00"),  # leap year
        ("2026-03-15T23:59", "2026-04-15T23:59", "2026-06-15T23:59"),
        ("2026-12-31T00:00", "2027-01-31T00:00", "2027-03-31T00:00"),  # over the year end
    ],
)
def test_gdpr_one_calendar_month_plus_two(received: str, due: str, extended: str) -> None:
    clock = clock_for(Jurisdiction.GDPR, at(received))
    assert clock.due_at == at(due)
    assert clock.extended_due_at == at(extended)
    assert clock.extension_deadline == clock.due_at
    assert clock.acknowledge_by is None


def test_ccpa_ten_business_days_and_45_plus_45() -> None:
    friday = at("2026-11-27T09:00")
    clock = clock_for(Jurisdiction.CCPA, friday)
    assert clock.acknowledge_by == at("2026-12-11T09:00")  # two weekends skipped
    assert clock.due_at == at("2027-01-11T09:00")
    assert clock.extended_due_at == at("2027-02-25T09:00")
    assert add_business_days(at("2026-11-28T09:00"), 1) == at("2026-11-30T09:00")  # Saturday -> Monday


@pytest.mark.parametrize(
    ("country", "state", "expected"),
    [
        ("DE", None, Jurisdiction.GDPR),
        ("GB", None, Jurisdiction.GDPR),
        ("NO", None, Jurisdiction.GDPR),
        ("US", "CA", Jurisdiction.CCPA),
        ("US", "California", Jurisdiction.CCPA),
        ("US", "TX", Jurisdiction.OTHER),
        ("JP", None, Jurisdiction.OTHER),
        (None, None, Jurisdiction.OTHER),
    ],
)
def test_jurisdiction(country: str | None, state: str | None, expected: Jurisdiction) -> None:
    assert jurisdiction_of(country, state) is expected


def test_elsewhere_the_strictest_common_clock() -> None:
    assert clock_for(Jurisdiction.OTHER, at("2026-01-31T10:00")).due_at == at("2026-02-28T10:00")
