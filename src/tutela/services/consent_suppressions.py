"""`consent import-suppressions`: the unsubscribes and bounces an e-mail tool exports become
withdrawals of every e-mail consent of the matching customers. Addresses nobody has are
counted and dropped — a suppression list never creates a customer."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutela.core.actor import Actor
from tutela.core.errors import ImportFileInvalid, InvalidValue
from tutela.core.formats.text_table import open_table
from tutela.core.normalize import email_index_key, normalize_email
from tutela.core.policy.model import LegalBasis
from tutela.core.storage.bulk import select_in
from tutela.core.storage.engine import transaction
from tutela.core.taxonomy import IndexKind
from tutela.services import consent
from tutela.services.context import Context
from tutela.services.importing import file_sha256

_EMAIL_HEADERS = ("email", "email address", "e-mail", "e-mail address", "address", "recipient")
_CHUNK = 2000


@dataclass
class SuppressionReport:
    rows: int = 0
    withdrawals: int = 0  # ledger events written
    customers: int = 0  # customers matched
    unknown: int = 0  # addresses no customer has (not stored)
    invalid_rows: list[int] = field(default_factory=list)  # row numbers without a usable address

    def as_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "withdrawals": self.withdrawals, "customers": self.customers,
                "unknown": self.unknown, "invalid_rows": self.invalid_rows}  # fmt: skip


def import_suppressions(ctx: Context, *, actor: Actor, path: Path) -> SuppressionReport:
    if not path.is_file():
        raise ImportFileInvalid(f"no file at {path}", hint="check the path")
    evidence = file_sha256(path)
    email = consent.CHANNEL_CATEGORY[consent.Channel.EMAIL]
    purposes = [p.key for p in ctx.policy.purposes.values()
                if p.legal_basis is LegalBasis.CONSENT and email in p.categories]  # fmt: skip
    report = SuppressionReport()
    table = open_table(path)
    try:
        headers = [h.casefold() for h in table.header]
        column = next((headers.index(h) for h in _EMAIL_HEADERS if h in headers), None)
        if column is None:
            raise ImportFileInvalid(
                f"{path.name} has no e-mail column (saw: {', '.join(table.header[:8])})",
                hint="export the suppression list with a column named Email",
            )
        digests: list[bytes] = []
        for number, cells in table.rows():
            report.rows += 1
            try:
                address = normalize_email(cells[column] if column < len(cells) else "")
            except InvalidValue:
                report.invalid_rows.append(number)
                continue
            digests.append(ctx.keyring.blind_index(IndexKind.EMAIL, email_index_key(address)))
            if len(digests) >= _CHUNK:
                _withdraw(ctx, actor, digests, purposes=purposes, evidence=evidence, report=report)
                digests = []
        _withdraw(ctx, actor, digests, purposes=purposes, evidence=evidence, report=report)
    finally:
        table.close()
    return report


def _withdraw(
    ctx: Context, actor: Actor, digests: list[bytes], *, purposes: list[str], evidence: str, report: SuppressionReport
) -> None:
    if not digests:
        return
    proof = consent.Proof(source="suppression_list", evidence_sha256=evidence)
    with transaction(ctx.engine) as connection:
        found = select_in(connection, "SELECT customer_id, email_index FROM record WHERE email_index IN ({})", digests)
        by_digest: dict[bytes, set[str]] = {}
        for customer_id, digest in found:
            by_digest.setdefault(bytes(digest), set()).add(str(customer_id))
        report.unknown += sum(1 for d in set(digests) if d not in by_digest)
        customers = sorted({c for ids in by_digest.values() for c in ids})
        states = consent.states_in(connection, customers)
        pending: list[consent.Pending] = [
            (cid, purpose, consent.Channel.EMAIL.value, consent.Kind.WITHDRAWN, proof, None)
            for cid in customers for purpose in purposes
            if states.get((cid, purpose, consent.Channel.EMAIL.value)) == consent.Kind.GRANTED.value
        ]  # fmt: skip
        report.customers += len(customers)
        report.withdrawals += len(consent.append(connection, ctx, actor, pending, audit_each=False))
