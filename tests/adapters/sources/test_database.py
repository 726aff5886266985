"""Databases through a SQLAlchemy URL (SQLite and PostgreSQL) and tutela's own store: columns
sampled and judged at "table.column", binary columns never read, bad input a one-line error
without the password."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from tutela.adapters.sources import Progress, scan_database, scan_own_store
from tutela.core.detect.kinds import PiiType
from tutela.core.errors import ScanInputInvalid
from tutela.core.storage.schema import tombstone
from tutela.services.context import Context


@pytest.fixture
def shop_url(tmp_path: Path, database_url: str | None) -> str:
    url = database_url or f"sqlite:///{tmp_path / 'shop.db'}"
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    buyers = sa.Table(
        "buyers",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(120)),
        sa.Column("notes", sa.Text),
        sa.Column("photo", sa.LargeBinary),
        sa.Column("prefs", sa.JSON),
    )
    sa.Table("skus", meta, sa.Column("sku", sa.String(20), primary_key=True), sa.Column("price", sa.Numeric(9, 2)))
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            buyers.insert(),
            [
                {
                    "id": i,
                    "email": f"buyer{i}@example.com",
                    "notes": "call back at x@example.org" if i == 30 else "ok",
                    "photo": b"binary x@example.org",
                    "prefs": {"lang": "en"} if i != 3 else {"alt": "alt@example.net"},
                }
                for i in range(60)
            ],
        )
    engine.dispose()
    return url


def test_each_text_column_is_sampled_and_judged(shop_url: str) -> None:
    seen: list[Progress] = []
    report = scan_database(shop_url, sample=40, on_progress=seen.append)
    found = {f.location: (f.type, f.count, f.sampled, f.column) for f in report.findings}
    assert found == {
        "buyers.email": (PiiType.EMAIL, 40, 40, "email"),
        # Free text is judged on the sample too: row 30 is in it.
        "buyers.notes": (PiiType.EMAIL, 1, 40, "notes"),
        "buyers.prefs": (PiiType.EMAIL, 1, 40, "prefs"),
    }
    assert report.skipped == [] and report.locations_scanned == 4  # email, notes, prefs, sku
    assert [(p.locations_done, p.locations_total, p.current) for p in seen] == [(1, 2, "buyers"), (2, 2, "skus")]


def test_tables_can_be_chosen_and_an_unknown_one_is_an_error(shop_url: str) -> None:
    assert scan_database(shop_url, tables=["skus"]).findings == []
    with pytest.raises(ScanInputInvalid, match="no table named 'orders'") as caught:
        scan_database(shop_url, tables=["orders"])
    assert caught.value.code == "scan.input_invalid"


def test_a_database_that_cannot_be_reached_is_a_one_line_error_without_the_password(tmp_path: Path) -> None:
    with pytest.raises(ScanInputInvalid) as caught:
        scan_database("postgresql+psycopg://shop:s3cret-pw@127.0.0.1:1/shop")
    message = str(caught.value)
    assert "s3cret-pw" not in message and "\n" not in message
    assert message.startswith("cannot read the database at postgresql+psycopg://shop:***@127.0.0.1:1/shop")
    with pytest.raises(ScanInputInvalid, match="no SQLite database at"):
        scan_database(f"sqlite:///{tmp_path / 'missing.db'}")
    assert not (tmp_path / "missing.db").exists()
    with pytest.raises(ScanInputInvalid, match="does not parse"):
        scan_database("not a url")


def test_own_store_reads_every_text_column_but_not_the_vault(store: Context, tmp_path: Path) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            tombstone.insert(),
            [
                {"customer_id": f"c{i}", "erased_at": datetime(2026, 1, 1, tzinfo=UTC), "reason": "request"}
                for i in range(20)
            ]
            + [
                {
                    "customer_id": "c99",
                    "erased_at": datetime(2026, 1, 1, tzinfo=UTC),
                    "reason": "asked by j@example.com",
                }
            ],
        )
    log = tmp_path / "logs" / "tutela.log"
    log.parent.mkdir()
    log.write_text("GET /console 200\nimport failed for row of k@example.com\n", encoding="utf-8")
    report = scan_own_store(store.engine, [log, tmp_path / "logs" / "gone.log"])
    found = {(f.location, f.line) for f in report.findings}
    assert {(str(log), 2), ("tombstone.reason", None)} <= found
    # Whatever else is found is the shop's own contact address in the policy (and the audit
    # event that applied it), not a customer's.
    assert {f.preview for f in report.findings if f.location in {"policy_version.text", "audit_event.details"}} <= {
        "p•••@my-shop.example"
    }
    assert report.skipped == []
    # Sealed values, blind indexes and wrapped keys are binary columns: never read.
    read = {f.location for f in report.findings}
    assert not read & {"record.fields", "record.email_index", "customer.wrapped_dek", "data_request.contact"}
