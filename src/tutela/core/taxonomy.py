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
    label: str
    mask: MaskStyle
    index: IndexKind | None = None


_CATEGORIES = (
    Category("user.name", "Name", MaskStyle.NAME),
    Category("user.contact.email", "E-mail address", MaskStyle.EMAIL, IndexKind.EMAIL),
    Category("user.contact.phone_number", "Phone number", MaskStyle.PHONE, IndexKind.PHONE),
    Category("user.contact.address.street", "Street address", MaskStyle.HEAD),
    Category("user.contact.address.city", "City", MaskStyle.HEAD),
    Category("user.contact.address.state", "State or region", MaskStyle.HEAD),
    Category("user.contact.address.postal_code", "Postal code", MaskStyle.TAIL),
    Category("user.contact.address.country", "Country", MaskStyle.HEAD),
    Category("user.behavior.purchase_history", "Purchase history", MaskStyle.FULL),
    Category("user.unique_id", "Customer identifier", MaskStyle.TAIL),
    Category("user.financial.tax_id", "Tax identifier", MaskStyle.TAIL),
    Category("user.content.free_text", "Free-text message", MaskStyle.FULL),
)

CATEGORIES: dict[str, Category] = {c.key: c for c in _CATEGORIES}


def category(key: str) -> Category | None:
    return CATEGORIES.get(key)
