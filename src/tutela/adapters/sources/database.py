"""SQL databases through a SQLAlchemy URL: tables reflected, each text-like column sampled
(its first N non-null values) and judged as a column, at location "table.column". Only
SELECTs are sent. A URL that does not parse or connect, or a table that is not there, fails
the scan with a one-line message that never shows the password; a table that cannot be read
is reported and the scan goes on."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from tutela.adapters.sources.columns import ColumnScanner
from tutela.adapters.sources.options import Progress
from tutela.core.detect.findings import ScanReport, Skipped
from tutela.core.errors import ScanInputInvalid

CONNECT_TIMEOUT_S = 10


def scan_database(
    url: str,
    *,
    tables: Sequence[str] | None = None,
    sample: int = 1000,
    on_progress: Callable[[Progress], None] | None = None,
) -> ScanReport:
    parsed = _parse(url)
    engine = _engine(parsed)
    shown = parsed.render_as_string(hide_password=True)
    try:
        try:
            with engine.connect() as conn:
                inspector = sa.inspect(conn)
                present: set[tuple[str | None, str]] = {(None, name) for name in inspector.get_table_names()}
                present |= {(None, name) for name in inspector.get_view_names()}
        except SQLAlchemyError as exc:
            raise ScanInputInvalid(
                f"cannot read the database at {shown}: {_first_line(exc, parsed)}",
                hint="check the URL, that the database runs and that the user may connect",
            ) from None
        wanted = _wanted(tables, present, shown)
        report = ScanReport()
        for done, (schema, name) in enumerate(wanted, start=1):
            label = name if schema is None else f"{schema}.{name}"
            report.merge(_reflect_and_scan(engine, schema, name, label=label, sample=sample, parsed=parsed))
            if on_progress is not None:
                on_progress(Progress(done, len(wanted), report.bytes_scanned, label))
        return report
    finally:
        engine.dispose()


def scan_table(
    engine: Engine, table: sa.Table, label: str, sample: int, *, published: frozenset[str] = frozenset()
) -> ScanReport:
    """Every text-like column of `table`, sampled and judged, at "label.column". Binary columns
    are never read (in tutela's own store they hold the vault's sealed values). A `published`
    value (the shop's own privacy contact) is blanked out before a cell is judged."""
    report = ScanReport()
    for column in table.columns:
        if not _text_like(column.type):
            continue
        where = f"{label}.{column.name}"
        expr = sa.cast(column, sa.Text) if isinstance(column.type, sa.JSON) else column
        query = sa.select(expr).where(column.is_not(None)).limit(sample)
        scanner = ColumnScanner(where, sample)
        with engine.connect() as conn:
            for (value,) in conn.execute(query):
                text = _value(value)
                for own in published:
                    text = text.replace(own, " " * len(own)) if text is not None else None
                if text is not None:
                    scanner.add(column.name, text, header=column.name)
                    report.bytes_scanned += len(text.encode("utf-8", "surrogatepass"))
        report.findings.extend(scanner.findings())
        report.locations_scanned += 1
    return report


def _reflect_and_scan(
    engine: Engine, schema: str | None, name: str, *, label: str, sample: int, parsed: URL
) -> ScanReport:
    try:
        table = sa.Table(name, sa.MetaData(), schema=schema, autoload_with=engine)
        return scan_table(engine, table, label, sample)
    except SQLAlchemyError as exc:
        return ScanReport(skipped=[Skipped(label, f"unreadable: {_first_line(exc, parsed)}")])


def _text_like(kind: sa.types.TypeEngine[object]) -> bool:
    # SQLite columns declared without a type reflect as NullType and may hold anything.
    return isinstance(kind, (sa.String, sa.JSON, sa.types.NullType)) and not isinstance(kind, sa.Enum)


def _value(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ScanInputInvalid(
            "the database URL does not parse",
            hint="give a SQLAlchemy URL such as postgresql+psycopg://user@host/db or sqlite:///path/to.db",
        ) from None
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database
        # SQLite creates a missing file on connect: a scan must not.
        if path and path != ":memory:" and not path.startswith("file:") and not os.path.exists(path):
            raise ScanInputInvalid(f"no SQLite database at {path}", hint="check the path in the URL")
    return parsed


def _engine(parsed: URL) -> Engine:
    args: dict[str, object] = {}
    if parsed.get_backend_name() == "postgresql":
        args["connect_timeout"] = CONNECT_TIMEOUT_S
    try:
        return sa.create_engine(parsed, connect_args=args, poolclass=sa.pool.NullPool)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise ScanInputInvalid(
            f"cannot use the database URL {parsed.render_as_string(hide_password=True)}: {type(exc).__name__}",
            hint="use sqlite:/// or postgresql+psycopg://",
        ) from None


def _wanted(
    tables: Sequence[str] | None, present: set[tuple[str | None, str]], shown: str
) -> list[tuple[str | None, str]]:
    if not tables:
        return sorted(present, key=lambda t: t[1])
    wanted: list[tuple[str | None, str]] = []
    for given in tables:
        schema, _, name = given.rpartition(".")
        if schema:
            wanted.append((schema, name))  # a qualified name is checked when it is reflected
        elif (None, name) in present:
            wanted.append((None, name))
        else:
            raise ScanInputInvalid(
                f"no table named '{name}' in {shown}", hint="check --tables, or leave it out to scan every table"
            )
    return wanted


def _first_line(exc: SQLAlchemyError, parsed: URL) -> str:
    inner = getattr(exc, "orig", None) or exc
    line = (str(inner).strip().splitlines() or [type(inner).__name__])[0]
    if parsed.password:
        line = line.replace(str(parsed.password), "***")
    return line[:300]
