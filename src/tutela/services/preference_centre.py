"""The customer's own side of the consent ledger, for the public pages: what they have chosen
per consent purpose and channel, changing only what they change, the one-click unsubscribe,
and the Global Privacy Control signal.

Built on the ledger's own functions (`consent.append`, `consent.opt_out_of_sale`). Each
change is a ledger event under the actor `customer:<id>`; a choice that changes nothing writes
nothing, so a replayed form or unsubscribe adds no event. The state is read and the events
written in one transaction that holds the customer's row, so two replays at once cannot both
write."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, select

from tutela.core.actor import Actor
from tutela.core.policy.model import LegalBasis, Purpose
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import consent_state, customer, sale_share_opt_out
from tutela.services import audit, consent
from tutela.services.consent import Kind, Pending, Proof
from tutela.services.context import Context
from tutela.services.customer_rows import load_live_customer

CUSTOMER_ROLE = "customer"  # recorded in the audit log only: no policy decision is taken for it
VISITOR = Actor(id="public", role=CUSTOMER_ROLE)  # someone whose link did not hold
GRANT_SOURCE = WITHDRAW_SOURCE = "preference_centre"
ONE_CLICK_SOURCE = "unsubscribe_link"


def customer_actor(customer_id: str) -> Actor:
    return Actor(id=f"customer:{customer_id}", role=CUSTOMER_ROLE)


@dataclass(frozen=True)
class ChannelChoice:
    channel: str
    subscribed: bool  # a grant in force: it counts and has not lapsed


@dataclass(frozen=True)
class PurposeChoices:
    key: str
    description: str
    notice_version: str | None  # the newest registered wording; None: subscribing is not offered
    notice_wording: str | None
    channels: tuple[ChannelChoice, ...]


@dataclass(frozen=True)
class Preferences:
    customer_id: str
    purposes: tuple[PurposeChoices, ...]
    sale_share_opted_out: bool


@dataclass(frozen=True)
class Saved:
    events: int  # ledger events written
    not_granted: tuple[str, ...]  # purposes not subscribed: the wording shown is no longer the newest


def consent_purposes(ctx: Context) -> list[Purpose]:
    return [p for p in ctx.policy.purposes.values() if p.legal_basis is LegalBasis.CONSENT]


def read(ctx: Context, customer_id: str) -> Preferences:
    """What the preference centre shows. Raises CustomerNotFound / CustomerErased."""
    with read_only(ctx.engine) as connection:
        load_live_customer(connection, customer_id)
        states = _states(connection, customer_id)
        opted_out = connection.execute(select(func.count()).select_from(sale_share_opt_out).where(
            sale_share_opt_out.c.customer_id == customer_id)).scalar()  # fmt: skip
    purposes = []
    for purpose in consent_purposes(ctx):
        notice = consent.current_notice(ctx, purpose.key)
        channels = tuple(ChannelChoice(c.value, _live(ctx, purpose, states.get((purpose.key, c.value))))
                         for c in consent.channels_of(purpose))  # fmt: skip
        purposes.append(PurposeChoices(purpose.key, purpose.description, notice["version"] if notice else None,
                                       notice["wording"] if notice else None, channels))  # fmt: skip
    return Preferences(customer_id, tuple(purposes), bool(opted_out))


def choose(
    ctx: Context, *, customer_id: str, wanted: Mapping[tuple[str, str], bool], shown_notices: Mapping[str, str],
    client: str | None,
) -> Saved:  # fmt: skip
    """Apply the customer's choices, (purpose, channel) -> subscribed, where they differ from
    the ledger: a grant with the notice the page showed (only if it is still the newest one),
    or a withdrawal. Unknown purposes or channels raise InvalidValue."""
    for purpose_key, channel in wanted:
        consent.channel_of(consent.consent_purpose(ctx, purpose_key), channel)
    newest = {key: consent.current_notice(ctx, key) for key, _ in wanted}

    refused: set[str] = set()  # purposes not subscribed: the wording shown is no longer the newest

    def changes(states: Mapping[tuple[str, str], Any]) -> list[Pending]:
        pending: list[Pending] = []
        refused.clear()
        for (purpose_key, channel), subscribe in sorted(wanted.items()):
            live = _live(ctx, ctx.policy.purposes[purpose_key], states.get((purpose_key, channel)))
            if subscribe and not live:
                notice = newest[purpose_key]
                if notice is None or notice["version"] != shown_notices.get(purpose_key):
                    refused.add(purpose_key)
                    continue
                proof = Proof(source=GRANT_SOURCE, notice_version=notice["version"], client=client)
                pending.append((customer_id, purpose_key, channel, Kind.GRANTED, proof, notice["wording_sha256"]))
            elif live and not subscribe:
                pending.append((customer_id, purpose_key, channel, Kind.WITHDRAWN,
                                Proof(source=WITHDRAW_SOURCE, client=client), None))  # fmt: skip
        return pending

    written = _write(ctx, customer_id, changes)
    return Saved(written, tuple(sorted(refused)))


def unsubscribe(ctx: Context, *, customer_id: str, purpose: str, client: str | None) -> int:
    """One-click unsubscribe (RFC 8058): withdraw the purpose on every channel not withdrawn
    already; returns the events written (0 for a replay)."""
    acting = consent.consent_purpose(ctx, purpose)
    proof = Proof(source=ONE_CLICK_SOURCE, client=client)

    def changes(states: Mapping[tuple[str, str], Any]) -> list[Pending]:
        return [(customer_id, purpose, c.value, Kind.WITHDRAWN, proof, None) for c in consent.channels_of(acting)
                if getattr(states.get((purpose, c.value)), "state", None) != Kind.WITHDRAWN.value]  # fmt: skip

    return _write(ctx, customer_id, changes)


def honour_gpc(ctx: Context, *, customer_id: str, client: str | None) -> bool:
    """A Global Privacy Control signal: the CCPA opt-out of sale/share, once. True when new."""
    return consent.opt_out_of_sale(ctx, actor=customer_actor(customer_id), customer_id=customer_id, source="gpc",
                                   client=client)  # fmt: skip


def link_refused(ctx: Context, *, page: str, reason: str, client: str | None) -> None:
    """Audit a public link that did not hold: which page and why in general terms (bad or
    expired signature, or no such live customer); nothing of the link itself."""
    details = {"page": page, "reason": reason,
               "client_sha256": ctx.keyring.client_digest(client) if client else None}  # fmt: skip
    audit.record_alone(ctx, VISITOR, audit.Event(action="public.link_invalid", outcome="refused", details=details))


_STATES = select(consent_state).where(consent_state.c.customer_id == bindparam("customer_id"))


def _states(connection: Connection, customer_id: str) -> dict[tuple[str, str], Any]:
    rows = connection.execute(_STATES, {"customer_id": customer_id})
    return {(str(r.purpose), str(r.channel)): r for r in rows}


def _write(ctx: Context, customer_id: str, changes: Callable[[Mapping[tuple[str, str], Any]], list[Pending]]) -> int:
    """Write the events `changes` asks for given the customer's consent state. Read first
    without a lock (a replay changes nothing and takes no write lock); then again holding the
    customer's row (SQLite's BEGIN IMMEDIATE holds the database), so that two requests at once
    cannot both write."""
    with read_only(ctx.engine) as connection:
        load_live_customer(connection, customer_id)
        states = _states(connection, customer_id)
    if not changes(states):
        return 0
    with transaction(ctx.engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(select(customer.c.id).where(customer.c.id == customer_id).with_for_update())
        load_live_customer(connection, customer_id)
        states = _states(connection, customer_id)
        pending = changes(states)
        written = consent.append(connection, ctx, customer_actor(customer_id), pending) if pending else []
    return len(written)


def _live(ctx: Context, purpose: Purpose, state: Any) -> bool:
    """A grant in force, whatever the contact details: granted, from a source that counts, not lapsed."""
    if state is None or state.state != Kind.GRANTED.value or state.source in consent.NOT_COUNTING:
        return False
    valid = purpose.consent_valid_for  # the ledger's one rule for lapse
    return valid is None or state.granted_at is None or state.granted_at > consent.lapse_cutoff(ctx.clock.now(), valid)
