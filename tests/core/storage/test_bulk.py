"""The bulk write path, on both backends: rows in order, all-NULL columns left out, padded IN lists."""

from __future__ import annotations

from tests.helpers import rows
from tutela.core.storage.bulk import db_time, insert_rows, select_in
from tutela.core.storage.schema import orders
from tutela.services.context import Context


def test_rows_land_whole_and_in_order(store: Context) -> None:
    count = 133
    with store.engine.begin() as connection:
        at = db_time(connection, store.clock.now())
        insert_rows(connection, orders, ("channel", "order_id", "marketplace", "created_at", "updated_at"), [
            ("amazon", f"111-{n:07d}", None, at, at) for n in range(count)
        ])  # fmt: skip
        found = select_in(connection, "SELECT order_id FROM orders WHERE order_id IN ({})", ["111-0000007", "x"])
    assert found == [("111-0000007",)]
    stored = rows(store, "SELECT order_id, marketplace FROM orders ORDER BY id")
    assert [r.order_id for r in stored] == [f"111-{n:07d}" for n in range(count)]
    assert {r.marketplace for r in stored} == {None}
