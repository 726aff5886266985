"""Returning buyers already settled by this import run: a buyer's personal block (the exact
texts of a row's personal columns) that is known to be stored unchanged as one customer's
data. A row that brings the same block again needs no validation, no blind index, no lookup
and no fingerprint: only its order is written, for that customer.

The claim "this block is what is stored" holds until the run itself changes the customer
(then the customer is unsettled, and its rows take the full path again). Bounded memory:
the blocks are kept as 16-byte digests and forgotten all at once when the table is full."""

from __future__ import annotations

import hashlib
import marshal

_KEPT = 1 << 18  # about 40 MB at most; a file with more returning buyers starts over


class SettledBuyers:
    def __init__(self, kept: int = _KEPT) -> None:
        self._kept = kept
        self._customers: dict[bytes, str] = {}  # block digest -> customer id
        self._unsettled: set[str] = set()

    @staticmethod
    def digest(block: tuple[str | None, tuple[str, ...]]) -> bytes:
        """An unambiguous digest of (region, personal texts); kept in memory only."""
        return hashlib.blake2b(marshal.dumps(block), digest_size=16).digest()

    def customer(self, digest: bytes) -> str | None:
        found = self._customers.get(digest)
        return None if found is None or found in self._unsettled else found

    def trusted(self, customer_id: str) -> bool:
        return customer_id not in self._unsettled

    def settle(self, digest: bytes, customer_id: str) -> None:
        if customer_id in self._unsettled:
            return
        if len(self._customers) >= self._kept:
            self._customers.clear()
            self._unsettled.clear()
        self._customers[digest] = customer_id

    def unsettle(self, customer_id: str) -> None:
        """The run changed this customer's data: none of its remembered blocks is trusted now."""
        self._unsettled.add(customer_id)
