"""The upcoming-deletions chart: a retention plan's weeks as the bars of a server-drawn SVG
(templates/_deletions_chart.html), shared by the retention page and the dashboard. Only
geometry is computed here; no script and no inline style (the CSP forbids both): colours
come from console.css, sizes from SVG attributes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from tutela.services.retention_plan import Plan

BAR = 30  # bar width
GAP = 10  # space between bars
TOP = 16  # room for the value above the tallest bar
BOTTOM = 18  # room for the week's date below the baseline


@dataclass(frozen=True)
class Bar:
    week_of: date
    records: int
    fields: int
    by_purpose: dict[str, int]  # purpose -> fields
    x: int
    y: int
    height: int

    width: int = BAR

    @property
    def centre(self) -> int:
        return self.x + BAR // 2

    @property
    def column_x(self) -> int:
        """The left edge of the week's whole column (hovering anywhere in it shows the tooltip)."""
        return self.x - GAP // 2

    @property
    def column_width(self) -> int:
        return BAR + GAP


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    base: int  # the baseline's y
    compact: bool

    @property
    def records(self) -> int:
        return sum(bar.records for bar in self.bars)

    @property
    def fields(self) -> int:
        return sum(bar.fields for bar in self.bars)


def window(now: datetime, weeks: int) -> tuple[date, datetime]:
    """The Monday of this week (UTC) and the last moment of the `weeks`-th week from it: the
    horizon to plan to, so that every bar is a whole week."""
    today = now.astimezone(UTC).date()
    monday = today - timedelta(days=today.weekday())
    return monday, datetime.combine(monday + timedelta(weeks=weeks), time(), tzinfo=UTC) - timedelta(seconds=1)


def chart(plan: Plan, first_week: date, weeks: int, *, compact: bool = False) -> Chart:
    """One bar per week from `first_week` (a Monday), its height the records due that week.
    What is due already is not here: it is the plan's "due now"."""
    plot = 60 if compact else 140
    counts = [plan.weeks.get(first_week + timedelta(weeks=i)) for i in range(weeks)]
    tallest = max((c.records for c in counts if c is not None), default=0) or 1
    bars = []
    for i, found in enumerate(counts):
        records = found.records if found else 0
        height = max(2, round(plot * records / tallest)) if records else 0
        bars.append(Bar(
            week_of=first_week + timedelta(weeks=i), records=records, fields=found.fields if found else 0,
            by_purpose={p: sum(c.values()) for p, c in sorted(found.by_purpose.items())} if found else {},
            x=GAP + i * (BAR + GAP), y=TOP + plot - height, height=height,
        ))  # fmt: skip
    return Chart(bars=bars, width=GAP + weeks * (BAR + GAP), height=TOP + plot + BOTTOM, base=TOP + plot,
                 compact=compact)  # fmt: skip
