"""A store with return cases imported from a real Amazon MFN returns report (synthetic values,
real headers): the orders come from an unshipped-orders report first, so the cases link to
their orders and buyers."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import OWNER
from tests.importer_files import UNSHIPPED_HEADER, unshipped_row, write_table
from tutela.services import importing
from tutela.services.context import Context

MFN_RETURNS_HEADER = [
    "Order ID", "Order date", "Return request date", "Return request status", "Amazon RMA ID", "Merchant RMA ID",
    "Label type", "Label cost", "Currency code", "Return carrier", "Tracking ID", "Label to be paid by", "A-to-Z Claim",
    "Is prime", "ASIN", "Merchant SKU", "Item Name", "Return quantity", "Return Reason", "In policy", "Return type",
    "Resolution", "Invoice number", "Return delivery date", "Order Amount", "Order quantity", "SafeT Action reason",
    "SafeT claim id", "SafeT claim state", "SafeT claim creation time", "SafeT claim reimbursement amount",
    "Refunded Amount",
]  # fmt: skip

ADA_ORDER = "111-0000001-0000001"  # returned, still open
GRACE_ORDER = "111-0000002-0000002"  # returned, received: closed
KEEP_ORDER = "111-0000003-0000003"  # not returned


def mfn_return_row(order: str, rma: str, *, requested: str = "2026-11-25", delivered: str = "") -> dict[str, str]:
    """A row of Amazon's MFN returns report; a delivery date makes it a closed return."""
    return {
        "Order ID": order, "Order date": "2026-11-20", "Return request date": requested,
        "Return request status": "Closed" if delivered else "Approved", "Amazon RMA ID": rma,
        "Label type": "AmazonPrePaidLabel", "Currency code": "USD", "Merchant SKU": "SKU-01", "Item Name": "Widget",
        "Return quantity": "1", "Return Reason": "CR-DEFECTIVE", "In policy": "Y", "Return type": "C-Returns",
        "Resolution": "StandardRefund", "Return delivery date": delivered, "Order Amount": "20.00",
        "Order quantity": "1", "Refunded Amount": "20.00" if delivered else "",
    }  # fmt: skip


def write_returns_files(folder: Path) -> list[Path]:
    """Orders of Ada, Grace and Kim; returns: Ada's open, Grace's closed. Import them in this order."""
    orders = write_table(folder / "unshipped.txt", UNSHIPPED_HEADER, [
        unshipped_row(ADA_ORDER, "10000000000001"),
        unshipped_row(GRACE_ORDER, "10000000000002", email="grace@marketplace.amazon.com", phone="+1 415-555-0199",
                      recipient="Grace Hopper", street="1 Navy Way", city="Arlington", postal="22202"),
        unshipped_row(KEEP_ORDER, "10000000000003", email="kim@marketplace.amazon.com", phone="+1 415-555-0111",
                      recipient="Kim Park"),
    ])  # fmt: skip
    cases = write_table(folder / "returns.csv", MFN_RETURNS_HEADER, [
        mfn_return_row(ADA_ORDER, "RMA-ADA-1", requested="2026-11-25"),
        mfn_return_row(GRACE_ORDER, "RMA-GRACE-1", requested="2026-11-21", delivered="2026-11-27"),
    ], delimiter=",")  # fmt: skip
    return [orders, cases]


def import_returns(store: Context, folder: Path) -> None:
    for path in write_returns_files(folder):
        importing.import_file(store, actor=OWNER, path=path)
