"""`--map columns.toml`: any CSV/TSV becomes a format, by saying what each header is."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from tutela.core.errors import ColumnMapInvalid
from tutela.core.formats.spec import FormatSpec, Personal
from tutela.core.policy.locate import LineIndex
from tutela.core.policy.model import SOURCES
from tutela.core.suggest import did_you_mean
from tutela.core.taxonomy import CATEGORIES

_ORDER = {
    "order_id", "purchased_at", "shipped_at", "promised_delivery_at", "delivered_at", "last_updated_at", "status",
    "currency", "total_amount", "ship_country", "ship_state", "marketplace", "sales_channel",
}  # fmt: skip
_LINE = {"line_id", "sku", "asin", "quantity", "item_price"}
_ROLES = {"ship", "bill", "buyer", "account", "note"}
_DEFAULT_ROLE = {"user.contact.email": "buyer", "user.contact.phone_number": "buyer"}


def _place(
    column: str, target: object, *, personal: dict[str, Personal], order: dict[str, str], line: dict[str, str]
) -> str | None:
    """File `column` under its target; the problem, if any, in words."""
    spec = target if isinstance(target, dict) else {"target": target}
    name = str(spec.get("category") or spec.get("target") or "")
    if name.startswith("order."):
        if name[6:] not in _ORDER:
            return f"unknown order field '{name}' — {did_you_mean(name[6:], _ORDER, 'order field')}"
        order[name[6:]] = column
    elif name.startswith("line."):
        if name[5:] not in _LINE:
            return f"unknown line field '{name}' — {did_you_mean(name[5:], _LINE, 'line field')}"
        line[name[5:]] = column
    elif name in CATEGORIES:
        role = str(spec.get("role") or _DEFAULT_ROLE.get(name, "ship"))
        if role not in _ROLES:
            return f"unknown role '{role}' — {did_you_mean(role, _ROLES, 'role')}"
        personal[column] = Personal(role, name)
    else:
        return f"unknown target '{name}' — {did_you_mean(name, CATEGORIES, 'category')}"
    return None


def load_column_map(path: Path, *, header: Sequence[str]) -> FormatSpec:
    try:
        text = path.read_text("utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise ColumnMapInvalid(f"no column map at {path}", hint="check the --map path") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ColumnMapInvalid(
            f"{path.name}: not valid TOML ({exc})", hint="fix the syntax at the line shown"
        ) from None
    lines = LineIndex(text)

    def fail(where: tuple[str, ...], message: str) -> ColumnMapInvalid:
        return ColumnMapInvalid(f"{path.name}:{lines.line_of(where)}: {message}", hint="see docs/importing.md")

    source = data.get("source")
    if source not in SOURCES:
        raise fail(
            ("source",),
            f"'source' must be one of {', '.join(SOURCES)} — {did_you_mean(str(source), SOURCES, 'source')}",
        )
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise fail(("columns",), "a [columns] table mapping headers to targets is required")
    personal: dict[str, Personal] = {}
    order: dict[str, str] = {}
    line: dict[str, str] = {}
    for column, target in columns.items():
        if column not in header:
            hint = did_you_mean(column, header, "column")
            raise fail(("columns", column), f"column '{column}' is not in the file's header — {hint}")
        problem = _place(column, target, personal=personal, order=order, line=line)
        if problem:
            raise fail(("columns", column), problem)
    if (order or line) and "order_id" not in order:
        raise fail(("columns",), "order and line fields need an order.order_id column too (the order they belong to)")
    channel = str(data.get("channel") or source)
    return FormatSpec(
        key="csv_map",
        label=f"CSV with column map {path.name}",
        source=str(source),
        channel=channel[:16],
        signature=frozenset(columns),
        personal=personal,
        order=order,
        line=line,
        as_of=tuple(order[k] for k in ("last_updated_at", "purchased_at") if k in order),
        region=tuple(order[k] for k in ("ship_country",) if k in order),
    )
