"""The facts of a destruction certificate (DPP §1.7: certify deletion in writing). Dates,
counts and the audit chain head only: a certificate never holds personal data."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

METHOD = (
    "Crypto-shredding (NIST SP 800-88 Rev. 1, cryptographic erase): each field was sealed with "
    "AES-256-GCM under a per-customer data key; deleted fields' ciphertexts were removed and, "
    "where a customer kept no field, the data key itself was destroyed."
)


@dataclass(frozen=True)
class DestructionCertificate:
    shop_name: str
    shop_country: str
    revocation_id: int
    requested_at: datetime
    deadline_at: datetime
    completed_at: datetime
    requested_by: str  # a staff member's name or "local-operator", never a customer
    fields_deleted: dict[str, int]  # by category code, e.g. "user.contact.email"
    records_deleted: int
    customers_shredded: int  # customers left with no field: data key destroyed
    customers_remaining: int  # customers who still hold non-Amazon data (e.g. own-shop buyers)
    amazon_fields_remaining: int  # must read 0 for the certificate to be issued
    audit_head_seq: int
    audit_head_hash: str
    method: str = METHOD
    receipts: list[int] = field(default_factory=list)  # audit event numbers of the deletion receipts

    @property
    def fields_total(self) -> int:
        return sum(self.fields_deleted.values())

    def to_json(self) -> str:
        facts: dict[str, Any] = asdict(self)
        for name in ("requested_at", "deadline_at", "completed_at"):
            facts[name] = getattr(self, name).isoformat()
        return json.dumps(facts, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> DestructionCertificate:
        facts = json.loads(text)
        for name in ("requested_at", "deadline_at", "completed_at"):
            facts[name] = datetime.fromisoformat(facts[name])
        return cls(**facts)
