"""SP-API Orders JSON as sellers' tools save it — a `getOrders` response (`payload.Orders`),
a bare list, `{"orders": [...]}` (v2026-01-01 `searchOrders`) or one order per line —
streamed with ijson (constant memory), each order flattened to dotted keys
(`ShippingAddress.City`, `recipient.deliveryAddress.postalCode`) so the same column-map
engine reads it as it reads a report."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson

from tutela.core.errors import ImportFileInvalid, ImportFormatUnknown
from tutela.core.formats.catalog import CITY, COUNTRY, EMAIL, NAME, PHONE, POSTAL, STATE, STREET
from tutela.core.formats.hashed_read import HashingReader
from tutela.core.formats.spec import FormatSpec, Personal

_SAMPLE_BYTES = 1 << 16  # where the file's shape and API version are told
_PREFIXES = (("payload.Orders.item", b'"payload"'), ("Orders.item", b'"Orders"'), ("orders.item", b'"orders"'))


def _flatten(value: Any, prefix: str, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(inner, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list):
        return  # lists (items, tax classifications) are not order facts or contact data here
    elif value is not None:
        out[prefix] = str(value).lower() if isinstance(value, bool) else str(value)


@dataclass
class JsonOrders:
    path: Path
    spec: FormatSpec
    _handle: IO[bytes]
    _items: Iterator[Any]

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        number = 0
        try:
            for order in self._items:
                if not isinstance(order, dict):
                    continue
                number += 1
                flat: dict[str, str] = {}
                _flatten(order, "", flat)
                yield number, flat
        except (ijson.JSONError, ValueError):
            raise _not_json(self.path, number) from None

    def survey(self) -> str:
        """Every order read once before any is stored (a file cut short changes nothing);
        returns the file's sha256, hashed in the same pass."""
        number = 0
        with self.path.open("rb", buffering=0) as raw:
            hashing = HashingReader(raw)
            buffered = io.BufferedReader(hashing, 1 << 20)
            try:
                for order in _orders_in(buffered, buffered.peek(_SAMPLE_BYTES)[:_SAMPLE_BYTES]):
                    number += isinstance(order, dict)
            except (ijson.JSONError, ValueError):
                raise _not_json(self.path, number) from None
            while buffered.read(1 << 20):
                pass  # whatever follows the last order is part of the file's identity too
        if number == 0:
            raise ImportFileInvalid(f"{self.path.name} holds no orders", hint="save a response that has orders")
        return hashing.digest.hexdigest()

    def bytes_read(self) -> int:
        return self._handle.tell()

    def close(self) -> None:
        self._handle.close()


def looks_like_json(path: Path) -> bool:
    with path.open("rb") as handle:
        start = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    return start[:1] in (b"{", b"[")


def open_json_orders(path: Path) -> JsonOrders:
    handle = path.open("rb")
    try:
        sample = handle.read(_SAMPLE_BYTES)
        handle.seek(0)
        spec = SPAPI_V2026 if b'"orderId"' in sample else SPAPI_V0
        if b'"orderId"' not in sample and b'"AmazonOrderId"' not in sample:
            raise ImportFormatUnknown(
                f"{path.name} is JSON but holds no SP-API orders (no AmazonOrderId or orderId)",
                hint="save a getOrders / searchOrders response",
            )
        items = _orders_in(handle, sample)
    except BaseException:
        handle.close()
        raise
    return JsonOrders(path, spec, handle, items)


def _orders_in(handle: IO[bytes], sample: bytes) -> Iterator[Any]:
    """The orders of whichever shape the file has (told by `sample`, its first bytes),
    streamed from the handle's position."""
    if sample.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        return iter(ijson.items(handle, "item"))
    prefix = next((p for p, marker in _PREFIXES if marker in sample), None)
    return iter(ijson.items(handle, prefix) if prefix else ijson.items(handle, "", multiple_values=True))


def _not_json(path: Path, orders_read: int) -> ImportFileInvalid:
    return ImportFileInvalid(
        f"{path.name} is not valid JSON after order {orders_read}", hint="save the API response again"
    )


def _v0_address(role: str, prefix: str) -> dict[str, Personal]:
    return {
        f"{prefix}.Name": Personal(role, NAME),
        f"{prefix}.City": Personal(role, CITY),
        f"{prefix}.StateOrRegion": Personal(role, STATE),
        f"{prefix}.PostalCode": Personal(role, POSTAL),
        f"{prefix}.CountryCode": Personal(role, COUNTRY),
        f"{prefix}.Phone": Personal(role, PHONE),
    }


SPAPI_V0 = FormatSpec(
    key="spapi_orders_v0",
    label="SP-API Orders v0 JSON (getOrders)",
    source="amazon",
    channel="amazon",
    signature=frozenset(),
    personal={
        "BuyerInfo.BuyerEmail": Personal("buyer", EMAIL),
        "BuyerInfo.BuyerName": Personal("buyer_name", NAME),
        **_v0_address("ship", "ShippingAddress"),
    },
    joined={
        ("ShippingAddress.AddressLine1", "ShippingAddress.AddressLine2", "ShippingAddress.AddressLine3"): Personal(
            "ship", STREET
        )
    },
    order={
        "order_id": "AmazonOrderId",
        "purchased_at": "PurchaseDate",
        "last_updated_at": "LastUpdateDate",
        "status": "OrderStatus",
        "fulfillment_channel": "FulfillmentChannel",
        "sales_channel": "SalesChannel",
        "marketplace": "MarketplaceId",
        "promised_delivery_at": "LatestDeliveryDate",
        "currency": "OrderTotal.CurrencyCode",
        "total_amount": "OrderTotal.Amount",
        "ship_country": "ShippingAddress.CountryCode",
        "ship_state": "ShippingAddress.StateOrRegion",
    },
    as_of=("LastUpdateDate", "PurchaseDate"),
    region=("ShippingAddress.CountryCode",),
)

SPAPI_V2026 = FormatSpec(
    key="spapi_orders_v2026",
    label="SP-API Orders v2026-01-01 JSON (searchOrders / getOrder)",
    source="amazon",
    channel="amazon",
    signature=frozenset(),
    personal={
        "buyer.buyerEmail": Personal("buyer", EMAIL),
        "buyer.buyerName": Personal("buyer_name", NAME),
        "recipient.deliveryAddress.name": Personal("ship", NAME),
        "recipient.deliveryAddress.city": Personal("ship", CITY),
        "recipient.deliveryAddress.stateOrRegion": Personal("ship", STATE),
        "recipient.deliveryAddress.postalCode": Personal("ship", POSTAL),
        "recipient.deliveryAddress.countryCode": Personal("ship", COUNTRY),
        "recipient.deliveryAddress.phone": Personal("ship", PHONE),
    },
    joined={
        (
            "recipient.deliveryAddress.addressLine1",
            "recipient.deliveryAddress.addressLine2",
            "recipient.deliveryAddress.addressLine3",
        ): Personal("ship", STREET)
    },
    order={
        "order_id": "orderId",
        "purchased_at": "createdTime",
        "last_updated_at": "lastUpdatedTime",
        "marketplace": "salesChannel.marketplaceId",
        "sales_channel": "salesChannel.marketplaceName",
        "status": "fulfillment.fulfillmentStatus",
        "ship_country": "recipient.deliveryAddress.countryCode",
        "ship_state": "recipient.deliveryAddress.stateOrRegion",
    },
    as_of=("lastUpdatedTime", "createdTime"),
    region=("recipient.deliveryAddress.countryCode",),
)
