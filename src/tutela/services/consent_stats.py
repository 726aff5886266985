"""The consent ledger in numbers, for the console's consent page and the API: per purpose and
channel, week by week (weeks start on Monday, UTC; the last one is the current week, so far),
the grants, withdrawals and expiries written that week and the opt-in rate at the week's end;
and the totals now. Read from `consent_event` alone (and `customer.erased_at`), with grouped
SQL that both backends run; nothing here writes.

The opt-in rate of a purpose and channel at a moment T is

    live / decided

- `decided`: customers with at least one ledger event for that purpose and channel by T
  (asked and answered: granted, withdrawn or lapsed), not erased by T;
- `live`: those of them whose latest event by T (in ledger order) is a grant that counts — not
  made through Amazon messaging — and has not lapsed by T (the purpose's `consent_valid_for`,
  judged by `consent.lapse_cutoff`, the rule `consent.can_contact` uses).

So it is "live grants / (live grants + customers who withdrew, lapsed or whose grant does not
count)". It says nothing of customers never asked, and does not check that a customer can be
reached on the channel (a contact detail from the seller's own channels): the audience
export (`consent.ConsentGate`) is the exact answer for one campaign. A week's end is the last
moment of its Sunday, or now for the current week; `None` when nobody had decided yet.

Weekly counts: `grants` counts grants that count (Amazon-messaging grants are recorded in the
ledger, and counted nowhere here), `withdrawals` every withdrawal event (a withdrawal from
every channel is one event per channel), `expiries` the lapses written by `consent expire`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, or_, select

from tutela.core.policy.model import LegalBasis
from tutela.core.storage.engine import read_only
from tutela.core.storage.schema import consent_event, customer, sale_share_opt_out
from tutela.core.storage.types import UtcDateTime
from tutela.services.consent import NOT_COUNTING, Kind, channels_of, lapse_cutoff
from tutela.services.context import Context

DEFAULT_WEEKS = 12
MAX_WEEKS = 104
RECENT_DAYS = 30
_NOT_COUNTING = sorted(NOT_COUNTING)


@dataclass(frozen=True)
class Week:
    week_of: date  # its Monday
    grants: int
    withdrawals: int
    expiries: int
    live: int  # live counting grants at the week's end
    decided: int  # customers with a decision on record at the week's end

    @property
    def rate(self) -> float | None:
        return self.live / self.decided if self.decided else None

    def as_dict(self) -> dict[str, Any]:
        return {"week_of": self.week_of.isoformat(), "grants": self.grants, "withdrawals": self.withdrawals,
                "expiries": self.expiries, "live": self.live, "decided": self.decided, "rate": self.rate}  # fmt: skip


@dataclass(frozen=True)
class Series:
    purpose: str
    channel: str
    weeks: list[Week]

    @property
    def key(self) -> str:
        return f"{self.purpose}/{self.channel}"

    @property
    def live_now(self) -> int:
        return self.weeks[-1].live if self.weeks else 0

    def as_dict(self) -> dict[str, Any]:
        return {"purpose": self.purpose, "channel": self.channel, "live_now": self.live_now,
                "weeks": [w.as_dict() for w in self.weeks]}  # fmt: skip


@dataclass(frozen=True)
class ConsentStats:
    generated_at: datetime
    weeks: list[date]  # the Mondays, oldest first; the last is this week's
    series: list[Series]  # one per consent purpose and channel (policy order), then any other in the ledger
    live_grants: int  # now, every purpose and channel
    grants_recent: int  # in the last RECENT_DAYS days
    withdrawals_recent: int
    expiries_recent: int
    sale_share_opt_outs: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "generated_at": self.generated_at.isoformat(), "recent_days": RECENT_DAYS,
            "weeks": [w.isoformat() for w in self.weeks], "live_grants": self.live_grants,
            "grants_recent": self.grants_recent, "withdrawals_recent": self.withdrawals_recent,
            "expiries_recent": self.expiries_recent, "sale_share_opt_outs": self.sale_share_opt_outs,
            "series": [s.as_dict() for s in self.series],
        }  # fmt: skip


def mondays(now: datetime, weeks: int) -> list[date]:
    """The Mondays (UTC) of the last `weeks` weeks, this week's last."""
    today = now.astimezone(UTC).date()
    this_monday = today - timedelta(days=today.weekday())
    return [this_monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def consent_stats(ctx: Context, *, weeks: int = DEFAULT_WEEKS) -> ConsentStats:
    weeks = max(1, min(weeks, MAX_WEEKS))
    now = ctx.clock.now()
    starts = mondays(now, weeks)
    # The moments the ledger is judged at: the last microsecond before the first week, then
    # each week's last microsecond — now for the current week.
    ends = [_midnight(m + timedelta(weeks=1)) - timedelta(microseconds=1) for m in starts]
    points = [_midnight(starts[0]) - timedelta(microseconds=1), *(min(end, now) for end in ends)]
    validity = {p.key: p.consent_valid_for for p in ctx.policy.purposes.values()
                if p.legal_basis is LegalBasis.CONSENT and p.consent_valid_for is not None}  # fmt: skip
    # A grant made at or before a point's cutoff had lapsed by then (consent.lapse_cutoff: the
    # one rule). Calendar months can put a later point's cutoff before an earlier one's, so SQL
    # places each grant among the sorted cutoffs and each point looks up its cutoff's rank.
    cutoffs = {key: [lapse_cutoff(point, valid) for point in points] for key, valid in validity.items()}
    ranks = {key: [sorted(cut).index(c) for c in cut] for key, cut in cutoffs.items()}
    tally = _Tally(weeks)
    with read_only(ctx.engine) as connection:
        for row in connection.execute(_grouped(points, {key: sorted(cut) for key, cut in cutoffs.items()})):
            tally.add(row, ranks.get(str(row.purpose)))
        e = consent_event.c
        recent: dict[str, int] = {str(kind): int(n) for kind, n in connection.execute(
            select(e.kind, func.count()).where(e.at > now - timedelta(days=RECENT_DAYS), _counting(e.kind, e.source))
            .group_by(e.kind))}  # fmt: skip
        opt_outs = int(connection.execute(select(func.count()).select_from(sale_share_opt_out)).scalar_one())
    keys = [(p.key, c.value) for p in ctx.policy.purposes.values() if p.legal_basis is LegalBasis.CONSENT
            for c in channels_of(p)]  # fmt: skip
    keys += sorted(set(tally.keys()) - set(keys))
    series = [Series(purpose, channel, tally.weeks(purpose, channel, starts)) for purpose, channel in keys]
    return ConsentStats(
        generated_at=now, weeks=starts, series=series, live_grants=sum(s.live_now for s in series),
        grants_recent=recent.get(Kind.GRANTED.value, 0), withdrawals_recent=recent.get(Kind.WITHDRAWN.value, 0),
        expiries_recent=recent.get(Kind.EXPIRED.value, 0), sale_share_opt_outs=opt_outs,
    )  # fmt: skip


class _Tally:
    """Per purpose and channel: events per week and kind; decided and live per point."""

    def __init__(self, weeks: int) -> None:
        self.size = weeks
        self.counts: dict[tuple[str, str], dict[str, list[int]]] = {}

    def _of(self, purpose: str, channel: str) -> dict[str, list[int]]:
        return self.counts.setdefault((purpose, channel), {
            name: [0] * (self.size + 1) for name in ("decided", "live", *(k.value for k in Kind))})  # fmt: skip

    def add(self, row: Any, ranks: list[int] | None) -> None:
        """One group: `n` events of a kind, the latest of their key from point `first` until
        point `until` (exclusive); a grant is fresh at point i when its place among the sorted
        lapse cutoffs (`after`) is past point i's cutoff (`ranks`: None, it never lapses)."""
        counts, n = self._of(str(row.purpose), str(row.channel)), int(row.n)
        first, until = int(row.first), min(int(row.until), int(row.erased))
        if 1 <= first <= self.size and (row.kind != Kind.GRANTED.value or row.counting):
            counts[str(row.kind)][first] += n  # happened in week first - 1
        live = row.kind == Kind.GRANTED.value and row.counting
        for i in range(first, until):
            counts["decided"][i] += n
            if live and (ranks is None or ranks[i] < int(row.after)):
                counts["live"][i] += n

    def keys(self) -> list[tuple[str, str]]:
        return list(self.counts)

    def weeks(self, purpose: str, channel: str, starts: Sequence[date]) -> list[Week]:
        counts = self._of(purpose, channel)
        return [Week(week_of=monday, grants=counts[Kind.GRANTED.value][i + 1],
                     withdrawals=counts[Kind.WITHDRAWN.value][i + 1], expiries=counts[Kind.EXPIRED.value][i + 1],
                     live=counts["live"][i + 1], decided=counts["decided"][i + 1])
                for i, monday in enumerate(starts)]  # fmt: skip


def recent_withdrawals(ctx: Context, *, limit: int = 50) -> list[dict[str, Any]]:
    """The newest withdrawals: when, purpose, channel, source and the customer's id (no
    personal data), newest first."""
    e = consent_event.c
    query = (select(e.id, e.at, e.customer_id, e.purpose, e.channel, e.source)
             .where(e.kind == Kind.WITHDRAWN.value).order_by(e.id.desc()).limit(max(1, min(limit, 500))))  # fmt: skip
    with read_only(ctx.engine) as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


# -- the query ---------------------------------------------------------------------------------
def _counting(kind: Any, source: Any) -> ColumnElement[bool]:
    """Every event but a grant that does not count (Amazon messaging)."""
    return or_(kind != Kind.GRANTED.value, source.not_in(_NOT_COUNTING))


def _first(value: Any, bounds: Sequence[datetime], *, before: bool = False) -> Any:
    """The index of the first bound that `value` is at or before (`before`: strictly before),
    else len(bounds); NULL counts as never. Ranges only: no date function, so both backends
    run it alike."""
    steps = [((value < b) if before else (value <= b), i) for i, b in enumerate(bounds)]
    beyond = (value >= bounds[-1]) if before else (value > bounds[-1])  # most rows: one comparison
    return case((value.is_(None), len(bounds)), (beyond, len(bounds)), *steps, else_=len(bounds))


def _grouped(points: Sequence[datetime], cutoffs: dict[str, list[datetime]]) -> Any:
    """Every event with the time of the next event of its customer, purpose and channel (in
    ledger order) and its customer's erasure, reduced to a few indices into `points` (and,
    for a grant, into its purpose's sorted lapse `cutoffs`), then counted by them: a few rows
    whatever the size of the ledger."""
    e = consent_event.c
    following = func.lead(e.at, type_=UtcDateTime()).over(partition_by=(e.customer_id, e.purpose, e.channel),
                                                          order_by=e.id)  # fmt: skip
    ledger = (select(e.purpose, e.channel, e.kind, e.source, e.at, following.label("next_at"), customer.c.erased_at)
              .join_from(consent_event, customer, customer.c.id == e.customer_id).subquery("ledger"))  # fmt: skip
    c = ledger.c
    places = [(c.purpose == key, _first(c.at, cut)) for key, cut in cutoffs.items()]
    indexed = select(
        c.purpose, c.channel, c.kind, case((c.source.in_(_NOT_COUNTING), 0), else_=1).label("counting"),
        _first(c.at, points).label("first"), _first(c.next_at, points).label("until"),
        _first(c.erased_at, points).label("erased"),
        (case(*places, else_=0) if places else literal(0)).label("after"),
    ).subquery("indexed")  # fmt: skip
    i = indexed.c
    columns = (i.purpose, i.channel, i.kind, i.counting, i.first, i.until, i.erased, i.after)
    return select(*columns, func.count().label("n")).group_by(*columns)
