"""The import report's counters. Holds column names, row numbers, counts and reasons —
never a value — so it can be printed, stored and audited."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

LISTED_MAX = 1000  # rows listed by number in a report; the totals count all of them


@dataclass
class Tally:
    rows_read: int = 0
    customers_new: int = 0
    customers_matched: int = 0
    customers_updated: int = 0
    orders_new: int = 0
    orders_updated: int = 0
    order_lines_new: int = 0
    returns_new: int = 0
    consent_evidence_new: int = 0
    consent_events_new: int = 0  # ledger events (only changes of answer)
    fields_stored: dict[str, dict[str, int]] = field(default_factory=dict)
    columns_dropped: dict[str, dict[str, Any]] = field(default_factory=dict)
    invalid_values: list[dict[str, Any]] = field(default_factory=list)
    invalid_values_total: int = 0
    rows_rejected: list[dict[str, Any]] = field(default_factory=list)
    rows_rejected_total: int = 0

    def stored(self, purpose: str, category: str, count: int = 1) -> None:
        by_category = self.fields_stored.setdefault(purpose, {})
        by_category[category] = by_category.get(category, 0) + count

    def dropped(self, column: str, reason: str) -> None:
        entry = self.columns_dropped.get(column)
        if entry is None:
            self.columns_dropped[column] = {"reason": reason, "count": 1}
        else:
            entry["count"] += 1

    def invalid(self, row: int, column: str, problem: str) -> None:
        self.invalid_values_total += 1
        if len(self.invalid_values) < LISTED_MAX:
            self.invalid_values.append({"row": row, "column": column, "problem": problem})

    def rejected(self, row: int, reason: str) -> None:
        self.rows_rejected_total += 1
        if len(self.rows_rejected) < LISTED_MAX:
            self.rows_rejected.append({"row": row, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Tally:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def batch_counts(self, before: Tally) -> dict[str, int]:
        """What one batch added, for its audit event."""
        names = ("rows_read", "customers_new", "customers_matched", "customers_updated", "orders_new",
                 "orders_updated", "order_lines_new", "returns_new", "consent_evidence_new",
                 "consent_events_new")  # fmt: skip
        return {n: getattr(self, n) - getattr(before, n) for n in names}

    def copy(self) -> Tally:
        return Tally.from_dict(self.as_dict())
