"""The personal-data categories tutela knows, as fideslang keys, with how each is shown
masked and which blind index (if any) it feeds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MaskStyle(StrEnum):
    NAME = "name"
    EMAIL = "email"
    PHONE = "phone"
    TAIL = "tail"  # keep the last characters (postal codes, ids)
    HEAD = "head"  # keep the first characters (street, city)
    FULL = "full"  # nothing shown


class IndexKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    ORDER_ID = "order_id"


@dataclass(frozen=True)
class Category:
    key: str
    code: int  # stored in records; stable forever, never reused (1..62)
    label: str
    mask: MaskStyle
    index: IndexKind | None = None

    @property
    def bit(self) -> int:
        return 1 << self.code


_CATEGORIES = (
    Category("user.name", 1, "Name", MaskStyle.NAME),
    Category("user.contact.email", 2, "E-mail address", MaskStyle.EMAIL, IndexKind.EMAIL),
    Category("user.contact.phone_number", 3, "Phone number", MaskStyle.PHONE, IndexKind.PHONE),
    Category("user.contact.address.street", 4, "Street address", MaskStyle.HEAD),
    Category("user.contact.address.city", 5, "City", MaskStyle.HEAD),
    Category("user.contact.address.state", 6, "State or region", MaskStyle.HEAD),
    Category("user.contact.address.postal_code", 7, "Postal code", MaskStyle.TAIL),
    Category("user.contact.address.country", 8, "Country", MaskStyle.HEAD),
    Category("user.behavior.purchase_history", 9, "Purchase history", MaskStyle.FULL),
    Category("user.unique_id", 10, "Customer identifier", MaskStyle.TAIL),
    Category("user.financial.tax_id", 11, "Tax identifier", MaskStyle.TAIL),
    Category("user.content.free_text", 12, "Free-text message", MaskStyle.FULL),
)

CATEGORIES: dict[str, Category] = {c.key: c for c in _CATEGORIES}
CATEGORIES_BY_CODE: dict[int, Category] = {c.code: c for c in _CATEGORIES}

# Where personal data came from (DPP §1.8 data attribution); codes stored in records.
SOURCE_CODES: dict[str, int] = {"amazon": 1, "shopify": 2, "own_shop": 3, "manual": 4}
SOURCES_BY_CODE: dict[int, str] = {v: k for k, v in SOURCE_CODES.items()}


def category(key: str) -> Category | None:
    return CATEGORIES.get(key)
