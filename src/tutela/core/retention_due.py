"""When a stored record is due for deletion, and why: the purpose's rule applied to the events
of the customer's orders and returns, the Amazon DPP §2.1 cap on Amazon-sourced fields, and
an Amazon revocation (§1.7). Pure: no database, no clock of its own (times are UTC).

An event date is trusted only when it is not in the future and not before the purchase;
an untrusted date is set aside and the basis says so."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from tutela.core.policy.model import LegalBasis, Policy, Purpose, RetentionRule


class Scope(StrEnum):
    ALL = "all"  # every field of the record
    AMAZON = "amazon"  # only its Amazon-sourced fields


@dataclass(frozen=True)
class OrderDates:
    channel: str
    purchased: datetime | None
    shipped: datetime | None
    promised: datetime | None
    delivered: datetime | None


@dataclass(frozen=True)
class ReturnDates:
    requested: datetime | None
    closed: datetime | None  # None: still open


@dataclass
class CustomerEvents:
    """Everything about one customer that a retention rule can count from."""

    orders: list[OrderDates] = field(default_factory=list)
    returns: list[ReturnDates] = field(default_factory=list)
    consent_withdrawn: datetime | None = None


@dataclass(frozen=True)
class Due:
    at: datetime | None  # None: waiting for an event that has not happened
    scope: Scope
    basis: str  # in words, without personal data
    untrusted_dates: int = 0


@dataclass(frozen=True)
class _Event:
    at: datetime | None
    note: str = ""  # how it was found, when not directly


_BASIS_CHARS = 240


def add_period(start: datetime, amount: int, unit: str) -> datetime:
    """Calendar arithmetic: 1 month after 31 January is the last day of February."""
    if unit == "days":
        return start + timedelta(days=amount)
    months = amount * (12 if unit == "years" else 1)
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


class DueCalculator:
    """One per policy and moment: computes many records' due times."""

    def __init__(self, policy: Policy, now: datetime, *, revocation_deadline: datetime | None = None) -> None:
        self.policy = policy
        self.now = now
        self.buffer = timedelta(days=policy.retention.delivery_buffer_days)
        self.revocation_deadline = revocation_deadline
        self._untrusted = 0

    def due(self, purpose: Purpose, events: CustomerEvents, *, collected: datetime, has_amazon: bool) -> Due:
        self._untrusted = 0
        rule = self._rule(purpose)
        purpose_due, basis = self._apply(rule, events, collected)
        if rule is not purpose.retention:
            basis += f" (tax period for {self.policy.shop.country})"
        scope = Scope.ALL
        if has_amazon:
            cap = self._amazon_cap(purpose, events, collected)
            if cap is not None and (purpose_due is None or cap[0] < purpose_due):
                purpose_due, basis, scope = cap[0], cap[1], Scope.AMAZON
        if self._untrusted:
            basis += f"; {self._untrusted} event date(s) set aside (in the future or before the purchase)"
        return Due(purpose_due, scope, basis[:_BASIS_CHARS], self._untrusted)

    # -- the rule ------------------------------------------------------------------------------
    def _rule(self, purpose: Purpose) -> RetentionRule:
        years = self.policy.retention.tax_years.get(self.policy.shop.country)
        rule = purpose.retention
        if purpose.legal_basis is LegalBasis.LEGAL_OBLIGATION and years is not None and not rule.is_until:
            return RetentionRule(text=f"{years} years after {rule.event}", event=rule.event, amount=years,
                                 unit="years")  # fmt: skip
        return rule

    def _apply(self, rule: RetentionRule, events: CustomerEvents, collected: datetime) -> tuple[datetime | None, str]:
        event = self._event(rule.event, events, collected)
        if event.at is None:
            return None, f"{rule.text}: {event.note}"
        at = event.at if rule.is_until else add_period(event.at, rule.amount, rule.unit)
        note = f" ({event.note})" if event.note else ""
        return at, f"{rule.text}; {rule.event} {event.at:%Y-%m-%d}{note}"

    def _amazon_cap(self, purpose: Purpose, events: CustomerEvents, collected: datetime) -> tuple[datetime, str] | None:
        found: list[tuple[datetime, str]] = []
        cap = self.policy.retention.amazon_cap
        if cap is not None and purpose.legal_basis is not LegalBasis.LEGAL_OBLIGATION:
            # Counted from Amazon's own orders: a later own-shop order does not extend Amazon data.
            amazon = CustomerEvents([o for o in events.orders if o.channel == "amazon"], events.returns)
            at, basis = self._apply(cap, amazon, collected)
            if at is not None:
                found.append((at, f"Amazon DPP §2.1 cap: {basis}"))
        if self.revocation_deadline is not None:
            found.append((self.revocation_deadline, "Amazon DPP §1.7: access revoked, Amazon data deleted by"
                          f" {self.revocation_deadline:%Y-%m-%d %H:%M} UTC"))  # fmt: skip
        return min(found) if found else None

    # -- events --------------------------------------------------------------------------------
    def _event(self, name: str, events: CustomerEvents, collected: datetime) -> _Event:
        if name == "collected":
            return _Event(collected)
        if name in {"purchased", "shipped", "invoiced"}:
            return self._order_event(name, events, collected)
        if name == "delivered":
            return self._delivered(events, collected)
        if name in {"return_opened", "return_closed"}:
            return self._return_event(name, events, collected)
        if name == "consent_withdrawn":
            return _Event(events.consent_withdrawn, "" if events.consent_withdrawn else "consent not withdrawn")
        # last_activity and ticket_closed (no ticket system: the last activity stands in)
        latest = self._latest_activity(events, collected)
        return _Event(latest, "" if name == "last_activity" else "no ticket system: counted from the last activity")

    def _trusted(self, at: datetime | None, purchased: datetime | None) -> datetime | None:
        if at is None:
            return None
        if at > self.now or (purchased is not None and at < purchased):
            self._untrusted += 1
            return None
        return at

    def _order_event(self, name: str, events: CustomerEvents, collected: datetime) -> _Event:
        times: list[datetime] = []
        for order in events.orders:
            purchased = self._trusted(order.purchased, None)
            shipped = self._trusted(order.shipped, purchased)
            if name == "purchased":
                chosen = purchased
            elif name == "shipped":
                chosen = shipped
            else:  # invoiced: Amazon and most shops invoice on shipment, else at purchase
                chosen = shipped or purchased
            if chosen is not None:
                times.append(chosen)
        if times:
            return _Event(max(times))
        return _Event(collected, f"no {name} date known: counted from collection")

    def _delivered(self, events: CustomerEvents, collected: datetime) -> _Event:
        best: tuple[datetime, str] | None = None
        for order in events.orders:
            purchased = self._trusted(order.purchased, None)
            delivered = self._trusted(order.delivered, purchased)
            if delivered is not None:
                candidate = (delivered, "")
            elif order.promised is not None and (purchased is None or order.promised >= purchased):
                candidate = (order.promised, "latest promised delivery; actual delivery unknown")
            elif (shipped := self._trusted(order.shipped, purchased)) is not None:
                candidate = (shipped + self.buffer, f"ship date + {self.buffer.days} days; delivery unknown")
            elif purchased is not None:
                candidate = (purchased + self.buffer, f"purchase date + {self.buffer.days} days; not shipped")
            else:
                continue
            if best is None or candidate[0] > best[0]:
                best = candidate
        if best is None:
            return _Event(collected, "no order known: counted from collection")
        return _Event(*best)

    def _return_event(self, name: str, events: CustomerEvents, collected: datetime) -> _Event:
        if not events.returns:
            return _Event(collected, "no return case: counted from collection")
        if name == "return_closed":
            if any(r.closed is None for r in events.returns):
                return _Event(None, "a return is still open")
            closed = [self._trusted(r.closed, None) for r in events.returns]
            known = [c for c in closed if c is not None]
            return _Event(max(known)) if known else _Event(collected, "closing date not trusted")
        opened = [self._trusted(r.requested, None) for r in events.returns]
        known = [o for o in opened if o is not None]
        return _Event(max(known)) if known else _Event(collected, "opening date unknown: counted from collection")

    def _latest_activity(self, events: CustomerEvents, collected: datetime) -> datetime:
        times = [collected]
        for order in events.orders:
            purchased = self._trusted(order.purchased, None)
            times += [t for t in (purchased, self._trusted(order.shipped, purchased),
                                  self._trusted(order.delivered, purchased)) if t is not None]  # fmt: skip
        for case in events.returns:
            times += [t for t in (self._trusted(case.requested, None), self._trusted(case.closed, None)) if t]
        return max(times)
