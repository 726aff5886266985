"""The consent ledger: append-only events (granted, withdrawn, expired) per customer, purpose
and channel, each with its proof; the current state kept beside them; and the one question
other code asks: may we contact this customer, for this purpose, on this channel?

The rules (GDPR Art. 7, CCPA, Amazon AUP §4.2):
- a purpose whose legal basis is consent needs a live grant for the channel;
- a grant lapses after the purpose's `consent_valid_for` unless re-confirmed;
- a withdrawal wins over any earlier grant; events are ordered by their ledger id, so two
  events with the same time still have one order;
- a grant made through Amazon messaging does not count, and a customer known only from
  Amazon (no contact detail from the seller's own channels) is never contactable."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update

from tutela.core.actor import Actor
from tutela.core.errors import InvalidValue, UnknownPurpose
from tutela.core.policy.model import LegalBasis, Purpose
from tutela.core.record_codec import decode
from tutela.core.retention_due import add_period
from tutela.core.storage.bulk import from_db_time, select_in
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import consent_event, consent_notice, consent_state, sale_share_opt_out
from tutela.services import audit, retention
from tutela.services.context import Context
from tutela.services.customer_rows import load_live_customer


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PHONE = "phone"
    POST = "post"


class Kind(StrEnum):
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


# Where a consent event came from. Amazon messaging is recorded (it happened) but never counts.
GRANT_SOURCES = ("checkout_form", "newsletter_form", "preference_centre", "support_call", "import", "amazon_messaging")
WITHDRAW_SOURCES = ("preference_centre", "unsubscribe_link", "support_call", "suppression_list", "import", "request")
NOT_COUNTING = frozenset({"amazon_messaging"})
IMPORTED_NOTICE = "imported"  # a grant read from a shop export: the export itself is the evidence

# The contact detail each channel needs.
CHANNEL_CATEGORY = {
    Channel.EMAIL: "user.contact.email",
    Channel.SMS: "user.contact.phone_number",
    Channel.PHONE: "user.contact.phone_number",
    Channel.POST: "user.contact.address.street",
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # why, in words without personal data


@dataclass(frozen=True)
class Proof:
    """How a grant or withdrawal was obtained."""

    source: str
    notice_version: str | None = None
    evidence_sha256: str | None = None
    client: str | None = None  # "ip|user agent" of a web request; stored only as a keyed hash


def consent_purpose(ctx: Context, purpose_key: str) -> Purpose:
    purpose = ctx.policy.purpose(purpose_key)
    if purpose.legal_basis is not LegalBasis.CONSENT:
        raise UnknownPurpose(
            f"purpose '{purpose_key}' does not rest on consent (its legal basis is {purpose.legal_basis.value})",
            hint='consent applies to purposes with legal_basis = "consent", e.g. marketing_email',
        )
    return purpose


def channel_of(purpose: Purpose, text: str) -> Channel:
    try:
        channel = Channel(text)
    except ValueError:
        raise InvalidValue(f"unknown channel '{text}'", hint="use email, sms, phone or post") from None
    if CHANNEL_CATEGORY[channel] not in purpose.categories:
        raise InvalidValue(
            f"purpose '{purpose.key}' does not collect what the {channel.value} channel needs"
            f" ({CHANNEL_CATEGORY[channel]})",
            hint="pick the channel the purpose is for, e.g. email for marketing_email",
        )
    return channel


def channels_of(purpose: Purpose) -> list[Channel]:
    return [c for c in Channel if CHANNEL_CATEGORY[c] in purpose.categories]


# -- notices ---------------------------------------------------------------------------------
def add_notice(ctx: Context, *, actor: Actor, purpose: str, version: str, wording: str) -> str:
    """Register the exact wording shown when asking for consent; returns its sha256."""
    consent_purpose(ctx, purpose)
    text = wording.strip()
    if not text or not version.strip() or len(version) > 32:
        raise InvalidValue("a notice needs a version (up to 32 characters) and its wording",
                           hint="e.g. --version 3 --file notice-v3.txt")  # fmt: skip
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with transaction(ctx.engine) as connection:
        found = connection.execute(select(consent_notice.c.wording_sha256).where(
            consent_notice.c.purpose == purpose, consent_notice.c.version == version)).scalar()  # fmt: skip
        if found is not None:
            if found == digest:
                return digest
            raise InvalidValue(f"notice version '{version}' of {purpose} already exists with other wording",
                               hint="a notice never changes: give the new wording a new version")  # fmt: skip
        connection.execute(insert(consent_notice).values(
            purpose=purpose, version=version, wording=text, wording_sha256=digest, created_at=ctx.clock.now(),
            created_by=actor.id,
        ))  # fmt: skip
        audit.record(connection, ctx, actor, [audit.Event(
            action="consent.notice", purpose=purpose, details={"version": version, "wording_sha256": digest},
        )])  # fmt: skip
    return digest


def notices(ctx: Context, purpose: str | None = None) -> list[dict[str, Any]]:
    query = select(consent_notice).order_by(consent_notice.c.purpose, consent_notice.c.created_at)
    if purpose:
        query = query.where(consent_notice.c.purpose == purpose)
    with read_only(ctx.engine) as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def current_notice(ctx: Context, purpose: str) -> dict[str, Any] | None:
    found = notices(ctx, purpose)
    return found[-1] if found else None


# -- events ----------------------------------------------------------------------------------
def grant(ctx: Context, *, actor: Actor, customer_id: str, purpose: str, channel: str, proof: Proof) -> int:
    acting = consent_purpose(ctx, purpose)
    chosen = channel_of(acting, channel)
    if proof.source not in GRANT_SOURCES:
        raise InvalidValue(f"a grant needs its source (one of {', '.join(GRANT_SOURCES)})",
                           hint="e.g. --source checkout_form")  # fmt: skip
    if not proof.notice_version:
        raise InvalidValue("a grant needs the version of the notice the customer saw", hint="e.g. --notice-version 3")
    with transaction(ctx.engine) as connection:
        load_live_customer(connection, customer_id)
        wording = _notice_digest(connection, purpose, proof.notice_version, proof.source)
        (event_id,) = append(connection, ctx, actor, [
            (customer_id, purpose, chosen.value, Kind.GRANTED, proof, wording),
        ])  # fmt: skip
    return event_id


def withdraw(
    ctx: Context, *, actor: Actor, customer_id: str, purpose: str, channel: str | None, proof: Proof
) -> list[int]:
    """Withdraw on one channel, or on every channel of the purpose (`channel` None)."""
    acting = consent_purpose(ctx, purpose)
    chosen = [channel_of(acting, channel)] if channel else channels_of(acting)
    if proof.source not in WITHDRAW_SOURCES:
        raise InvalidValue(f"a withdrawal needs its source (one of {', '.join(WITHDRAW_SOURCES)})",
                           hint="e.g. --source support_call")  # fmt: skip
    with transaction(ctx.engine) as connection:
        load_live_customer(connection, customer_id)
        return append(connection, ctx, actor, [
            (customer_id, purpose, c.value, Kind.WITHDRAWN, proof, None) for c in chosen
        ])  # fmt: skip


def _notice_digest(connection: Connection, purpose: str, version: str, source: str) -> str | None:
    if source == "import" and version == IMPORTED_NOTICE:
        return None
    digest = connection.execute(select(consent_notice.c.wording_sha256).where(
        consent_notice.c.purpose == purpose, consent_notice.c.version == version)).scalar()  # fmt: skip
    if digest is None:
        raise InvalidValue(f"no notice version '{version}' for {purpose}",
                           hint="register its wording first: `tutela consent notice add`")  # fmt: skip
    return str(digest)


Pending = tuple[str, str, str, Kind, Proof, str | None]  # customer, purpose, channel, kind, proof, wording


def append(
    connection: Connection, ctx: Context, actor: Actor, events: Sequence[Pending], *, audit_each: bool = True
) -> list[int]:
    """Append events in order, keep the current state, audit each (or, for an import batch,
    one audit event naming them all). Within one call a withdrawal is written after a grant
    for the same key, so it wins."""
    ordered = sorted(events, key=lambda e: (e[0], e[1], e[2], e[3] is Kind.WITHDRAWN))
    now = ctx.clock.now()
    ids: list[int] = []
    audited: list[audit.Event] = []
    for customer_id, purpose, channel, kind, proof, wording in ordered:
        client = ctx.keyring.client_digest(proof.client) if proof.client else None
        result = connection.execute(_INSERT_EVENT, {
            "customer_id": customer_id, "purpose": purpose, "channel": channel, "kind": kind.value, "at": now,
            "source": proof.source, "notice_version": proof.notice_version, "wording_sha256": wording,
            "evidence_sha256": proof.evidence_sha256, "client_sha256": client, "actor": actor.id,
        })  # fmt: skip
        assert result.inserted_primary_key is not None
        event_id = int(result.inserted_primary_key[0])
        ids.append(event_id)
        _set_state(connection, customer_id=customer_id, purpose=purpose, channel=channel, kind=kind,
                   source=proof.source, event_id=event_id, now=now)  # fmt: skip
        audited.append(audit.Event(
            action=f"consent.{kind.value}", customer_id=customer_id, purpose=purpose,
            details={"channel": channel, "source": proof.source, "notice_version": proof.notice_version,
                     "event_id": event_id},
        ))  # fmt: skip
    if audit_each:
        audit.record(connection, ctx, actor, audited)
    elif ids:
        audit.record(connection, ctx, actor, [audit.Event(action="consent.import", details={
            "events": len(ids), "first_event_id": ids[0], "last_event_id": ids[-1],
            "customer_ids": sorted({e[0] for e in ordered}),
        })])  # fmt: skip
    retention.mark_stale(connection, {e[0] for e in ordered})  # `until consent_withdrawn` rules
    return ids


# Built once: an unsubscribe runs these on every request, and building them cost more than
# running them.
_INSERT_EVENT = insert(consent_event)
_INSERT_STATE = insert(consent_state)
_UPDATE_STATE = (
    update(consent_state)
    .where(
        consent_state.c.customer_id == bindparam("k_customer"),
        consent_state.c.purpose == bindparam("k_purpose"),
        consent_state.c.channel == bindparam("k_channel"),
    )
    .values(
        state=bindparam("state"), source=bindparam("source"), event_id=bindparam("event_id"),
        updated_at=bindparam("updated_at"), granted_at=bindparam("granted_at"),
    )
)  # fmt: skip


def _set_state(
    connection: Connection, *, customer_id: str, purpose: str, channel: str, kind: Kind, source: str, event_id: int,
    now: datetime,
) -> None:  # fmt: skip
    values = {"state": kind.value, "source": source, "event_id": event_id, "updated_at": now,
              "granted_at": now if kind is Kind.GRANTED else None}  # fmt: skip
    key = {"k_customer": customer_id, "k_purpose": purpose, "k_channel": channel}
    if connection.execute(_UPDATE_STATE, key | values).rowcount == 0:
        connection.execute(_INSERT_STATE, values | {"customer_id": customer_id, "purpose": purpose, "channel": channel})


# -- reading ---------------------------------------------------------------------------------
def history(ctx: Context, customer_id: str) -> dict[str, Any]:
    """Every event with its proof, and the current state per purpose and channel."""
    with read_only(ctx.engine) as connection:
        load_live_customer(connection, customer_id)
        events = [
            dict(r._mapping)
            for r in connection.execute(
                select(consent_event).where(consent_event.c.customer_id == customer_id).order_by(consent_event.c.id)
            )
        ]
        opt_out = connection.execute(select(sale_share_opt_out).where(
            sale_share_opt_out.c.customer_id == customer_id)).first()  # fmt: skip
    current = {}
    for purpose in ctx.policy.purposes.values():
        if purpose.legal_basis is LegalBasis.CONSENT:
            for channel in channels_of(purpose):
                decision = can_contact(ctx, customer_id=customer_id, purpose=purpose.key, channel=channel.value)
                current[f"{purpose.key}/{channel.value}"] = {"allowed": decision.allowed, "reason": decision.reason}
    return {"customer_id": customer_id, "current": current, "events": events,
            "sale_share_opt_out": dict(opt_out._mapping) if opt_out else None}  # fmt: skip


def can_contact(ctx: Context, *, customer_id: str, purpose: str, channel: str) -> Decision:
    """The door for other code: may we contact this customer for this purpose on this channel?"""
    acting = ctx.policy.purposes.get(purpose)
    if acting is None or acting.legal_basis is not LegalBasis.CONSENT:
        return Decision(False, f"'{purpose}' is not a consent purpose")
    try:
        chosen = channel_of(acting, channel)
    except InvalidValue as problem:
        return Decision(False, problem.message)
    with read_only(ctx.engine) as connection:
        state = connection.execute(select(consent_state).where(
            consent_state.c.customer_id == customer_id, consent_state.c.purpose == purpose,
            consent_state.c.channel == chosen.value)).first()  # fmt: skip
        reachable = _reachable(connection, acting, chosen, [customer_id])
    return _decide(ctx, acting, state, customer_id in reachable)


def _decide(ctx: Context, purpose: Purpose, state: Any, reachable: bool) -> Decision:
    if state is None:
        return Decision(False, "no consent given")
    valid_for = purpose.consent_valid_for
    lapsed = state.state == Kind.EXPIRED.value or (
        state.granted_at is not None and valid_for is not None
        and state.granted_at <= lapse_cutoff(ctx.clock.now(), valid_for)
    )  # fmt: skip
    checks = (
        (state.state == Kind.WITHDRAWN.value, "consent withdrawn"),
        (lapsed, "consent lapsed; ask again"),
        (state.source in NOT_COUNTING, "a grant through Amazon messaging does not count (Amazon AUP §4.2)"),
        (not reachable, "no contact detail from the seller's own channels: known only from Amazon (Amazon AUP §4.2)"),
    )
    problem = next((reason for failed, reason in checks if failed), None)
    return Decision(problem is None, problem or "consent granted")


def _reachable(connection: Connection, purpose: Purpose, channel: Channel, customer_ids: Sequence[str]) -> set[str]:
    """Customers holding the channel's contact detail from a source the purpose may use
    (never Amazon: a marketing purpose's sources exclude it, AUP §4.2)."""
    category = CHANNEL_CATEGORY[channel]
    sources = purpose.sources - {"amazon"}
    found: set[str] = set()
    for cid, blob in select_in(connection, "SELECT customer_id, fields FROM record WHERE customer_id IN ({})",
                               customer_ids):  # fmt: skip
        if any(e.category == category and e.source in sources for e in decode(bytes(blob))):
            found.add(str(cid))
    return found


def live_grants(ctx: Context, purpose: Purpose, channel: Channel) -> list[str]:
    """Customers whose current grant for this purpose and channel counts and has not lapsed
    (reachability — a contact detail from the seller's own channels — is checked by the caller)."""
    now = ctx.clock.now()
    marker = "?" if ctx.engine.dialect.paramstyle == "qmark" else "%s"
    not_counting = ", ".join(f"'{s}'" for s in sorted(NOT_COUNTING))
    with read_only(ctx.engine) as connection:
        granted = connection.exec_driver_sql(
            f"SELECT customer_id, granted_at FROM consent_state WHERE purpose = {marker} "  # noqa: S608 - constants
            f"AND channel = {marker} AND state = 'granted' AND source NOT IN ({not_counting})",
            (purpose.key, channel.value),
        ).cursor.fetchall()
    valid = purpose.consent_valid_for
    if valid is None:
        return [str(cid) for cid, _ in granted]
    cutoff = lapse_cutoff(now, valid)
    return [str(cid) for cid, at in granted if (from_db_time(at) or now) > cutoff]


def lapse_cutoff(now: datetime, valid_for: tuple[int, str]) -> datetime:
    """A grant made at or before this moment has lapsed (one rule for every check)."""
    return add_period(now, -valid_for[0], valid_for[1])


class ConsentGate:
    """`can_contact` for many customers at once: the eligible set for one purpose and channel,
    read once (one query for the grants, one pass over their records)."""

    def __init__(self, ctx: Context, purpose: str, channel: str) -> None:
        self.purpose = consent_purpose(ctx, purpose)
        self.channel = channel_of(self.purpose, channel)
        live = live_grants(ctx, self.purpose, self.channel)
        with read_only(ctx.engine) as connection:
            self.eligible = frozenset(_reachable(connection, self.purpose, self.channel, live))

    def can_contact(self, customer_id: str) -> bool:
        return customer_id in self.eligible


# -- lapse and GPC ---------------------------------------------------------------------------
def expire_lapsed(ctx: Context, *, actor: Actor) -> int:
    """Write an `expired` event for each grant past its purpose's consent_valid_for."""
    now = ctx.clock.now()
    pending: list[Pending] = []
    with read_only(ctx.engine) as connection:
        for purpose in ctx.policy.purposes.values():
            if purpose.legal_basis is not LegalBasis.CONSENT or purpose.consent_valid_for is None:
                continue
            rows = connection.execute(select(consent_state.c.customer_id, consent_state.c.channel,
                                             consent_state.c.granted_at).where(
                consent_state.c.purpose == purpose.key, consent_state.c.state == Kind.GRANTED.value))  # fmt: skip
            cutoff = lapse_cutoff(now, purpose.consent_valid_for)
            pending += [(str(cid), purpose.key, str(ch), Kind.EXPIRED, Proof(source="lapse"), None)
                        for cid, ch, at in rows if at <= cutoff]  # fmt: skip
    if pending:
        with transaction(ctx.engine) as connection:
            append(connection, ctx, actor, pending)
    return len(pending)


def opt_out_of_sale(ctx: Context, *, actor: Actor, customer_id: str, source: str, client: str | None = None) -> bool:
    """CCPA opt-out of sale/share (e.g. a Global Privacy Control signal). True when new."""
    with transaction(ctx.engine) as connection:
        load_live_customer(connection, customer_id)
        known = connection.execute(select(func.count()).select_from(sale_share_opt_out).where(
            sale_share_opt_out.c.customer_id == customer_id)).scalar()  # fmt: skip
        if known:
            return False
        connection.execute(insert(sale_share_opt_out).values(
            customer_id=customer_id, at=ctx.clock.now(), source=source,
            client_sha256=ctx.keyring.client_digest(client) if client else None,
        ))  # fmt: skip
        audit.record(connection, ctx, actor, [audit.Event(
            action="consent.opt_out_sale_share", customer_id=customer_id, details={"source": source},
        )])  # fmt: skip
    return True


def states_in(connection: Connection, customer_ids: Iterable[str]) -> dict[tuple[str, str, str], str]:
    """(customer, purpose, channel) -> current state, for these customers."""
    rows = select_in(connection, "SELECT customer_id, purpose, channel, state FROM consent_state "
                     "WHERE customer_id IN ({})", list(customer_ids))  # fmt: skip
    return {(str(c), str(p), str(ch)): str(s) for c, p, ch, s in rows}


def suppressed(connection: Connection, customer_ids: Sequence[str]) -> set[str]:
    """Customers whose e-mail is on the marketing suppression list (a person who had their data
    erased, matched again by an import): their imported grants are ignored."""
    rows = select_in(connection, "SELECT r.customer_id FROM record r JOIN marketing_suppression s "
                     "ON s.email_index = r.email_index WHERE r.customer_id IN ({})", list(customer_ids))  # fmt: skip
    return {str(cid) for (cid,) in rows}


def record_imported(
    connection: Connection,
    ctx: Context,
    actor: Actor,
    flags: Sequence[tuple[str, str, str, bool]],
    evidence_sha256: str,
) -> int:
    """A shop export's marketing columns (customer, purpose, channel, accepted) as ledger events,
    with the export's hash as evidence. Only changes are written: the same answer again adds
    nothing; a row that both accepts and refuses ends withdrawn."""
    usable = [f for f in flags if f[1] in ctx.policy.purposes
              and ctx.policy.purposes[f[1]].legal_basis is LegalBasis.CONSENT]  # fmt: skip
    if not usable:
        return 0
    current = states_in(connection, [f[0] for f in usable])
    erased = suppressed(connection, [f[0] for f in usable])
    final: dict[tuple[str, str, str], bool] = {}
    for customer_id, purpose, channel, accepted in usable:
        if accepted and customer_id in erased:
            continue  # someone who had their data erased is not put back into marketing by an export
        key = (customer_id, purpose, channel)
        final[key] = final.get(key, True) and accepted  # withdrawal wins within the batch
    pending: list[Pending] = []
    for (customer_id, purpose, channel), accepted in sorted(final.items()):
        kind = Kind.GRANTED if accepted else Kind.WITHDRAWN
        if current.get((customer_id, purpose, channel)) == kind.value:
            continue
        if kind is Kind.WITHDRAWN and (customer_id, purpose, channel) not in current:
            continue  # never asked, never granted: nothing to withdraw
        proof = Proof(source="import", notice_version=IMPORTED_NOTICE if accepted else None,
                      evidence_sha256=evidence_sha256)  # fmt: skip
        pending.append((customer_id, purpose, channel, kind, proof, None))
    return len(append(connection, ctx, actor, pending, audit_each=False))
