"""[scan.locations.<name>]: the places the shop has its personal data scanned for on a
schedule (exports folders, a support agent's share, another database). A database is named
by the environment variable that holds its URL, so no password is ever in the policy."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tutela.core.policy.load import _Checker

_LOCATION_KEYS = {"path", "url_env", "include", "exclude", "tables", "sample", "every_days", "max_file_mb"}
_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
# The name tutela's own store is scanned under; a configured location may not take it.
OWN_STORE = "tutela"
OWN_STORE_TARGET = "tutela's own tables and logs"


@dataclass(frozen=True)
class ScanLocation:
    name: str
    path: str | None = None  # a file or directory
    url_env: str | None = None  # or: the environment variable holding a SQLAlchemy URL
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    sample: int = 1000
    every_days: int = 1
    max_file_mb: int | None = None

    @property
    def target(self) -> str:
        """What is scanned, as shown in the history (never a database URL)."""
        if self.name == OWN_STORE:
            return OWN_STORE_TARGET
        return self.path if self.path is not None else f"${self.url_env}"


@dataclass(frozen=True)
class ScanSettings:
    locations: dict[str, ScanLocation] = field(default_factory=dict)


def parse_scan_settings(raw: object, check: _Checker) -> ScanSettings:
    path: tuple[str, ...] = ("scan",)
    if not isinstance(raw, dict):
        check.problem(path, "[scan] must be a table")
        return ScanSettings()
    check.unknown_keys(raw, {"locations"}, path)
    tables = raw.get("locations", {})
    if not isinstance(tables, dict):
        check.problem(path + ("locations",), "[scan.locations] must hold tables such as [scan.locations.exports]")
        return ScanSettings()
    locations: dict[str, ScanLocation] = {}
    for name, table in tables.items():
        where = path + ("locations", name)
        if not _NAME.fullmatch(name) or name == OWN_STORE:
            check.problem(where, f"location name '{name}' must be lower-case letters, digits, - or _ and not"
                          f" '{OWN_STORE}' (tutela's own store is always scanned under that name)")  # fmt: skip
            continue
        if not isinstance(table, dict):
            check.problem(where, f"[scan.locations.{name}] must be a table")
            continue
        location = _location(name, table, where, check)
        if location is not None:
            locations[name] = location
    return ScanSettings(locations=locations)


def _location(name: str, table: dict[str, Any], where: tuple[str, ...], check: _Checker) -> ScanLocation | None:
    check.unknown_keys(table, _LOCATION_KEYS, where)
    has_path, has_url = "path" in table, "url_env" in table
    if has_path == has_url:
        check.problem(where, f"[scan.locations.{name}] needs either path = \"/srv/exports\" or"
                      ' url_env = "SHOP_DB_URL" (an environment variable holding the database URL)')  # fmt: skip
        return None
    url_env = table.get("url_env")
    if has_url and not (isinstance(url_env, str) and _ENV_NAME.fullmatch(url_env)):
        check.problem(where + ("url_env",), 'url_env must name an environment variable, e.g. "SHOP_DB_URL"')
        return None
    every = _whole(table, "every_days", default=1, low=1, high=366, where=where, check=check)
    sample = _whole(table, "sample", default=1000, low=1, high=1_000_000, where=where, check=check)
    max_mb = _whole(table, "max_file_mb", default=0, low=0, high=1_000_000, where=where, check=check)
    return ScanLocation(
        name=name,
        path=check.string(table, "path", where) if has_path else None,
        url_env=url_env if has_url else None,
        include=tuple(check.string_list(table, "include", where)),
        exclude=tuple(check.string_list(table, "exclude", where)),
        tables=tuple(check.string_list(table, "tables", where)),
        sample=sample,
        every_days=every,
        max_file_mb=max_mb or None,
    )


def _whole(table: dict[str, Any], key: str, *, default: int, low: int, high: int, where: tuple[str, ...],
           check: _Checker) -> int:  # fmt: skip
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        check.problem(where + (key,), f"{key} must be a whole number from {low} to {high}")
        return default
    return value
