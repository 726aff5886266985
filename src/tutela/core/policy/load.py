"""Read policy.toml, check every rule, and report every problem with file:line and a fix."""

from __future__ import annotations

import hashlib
import re
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from tutela.core.errors import PolicyInvalid
from tutela.core.policy.locate import LineIndex
from tutela.core.policy.model import (
    EVENTS_NOT_AFTER_DELIVERY,
    RETENTION_EVENTS,
    SOURCES,
    WILDCARD,
    Access,
    LegalBasis,
    OnInvalid,
    Policy,
    Purpose,
    RetentionRule,
    RetentionSettings,
    Role,
    Shop,
)
from tutela.core.policy.scan_locations import parse_scan_settings
from tutela.core.rules import AMAZON_PII_RETENTION_DAYS_AFTER_DELIVERY
from tutela.core.suggest import did_you_mean
from tutela.core.taxonomy import CATEGORIES

SCHEMA_VERSION = 1
_PURPOSE_KEYS = {
    "description",
    "legal_basis",
    "categories",
    "sources",
    "retention",
    "marketing",
    "restricted",
    "consent_valid_for",
    "recipients",
}
_PERIOD = re.compile(r"^\s*(?P<amount>\d+)\s+(?P<unit>days?|months?|years?)\s*$")
_ROLE_KEYS = {"description", "access"}
_SHOP_KEYS = {"name", "country", "privacy_contact"}
_TOP_KEYS = {"schema", "shop", "purposes", "roles", "quality", "retention", "scan"}
_RETENTION_KEYS = {"amazon_cap", "delivery_buffer_days", "tax_years"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_RETENTION = re.compile(
    r"^\s*(?:(?P<amount>\d+)\s+(?P<unit>days?|months?|years?)\s+after|until)\s+(?P<event>[a-z_]+)\s*$"
)


def default_policy_text() -> str:
    return resources.files("tutela.core.policy").joinpath("default_policy.toml").read_text("utf-8")


def load_policy(path: Path) -> Policy:
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise PolicyInvalid(
            f"no policy file at {path}", hint="run `tutela init`, or `tutela policy apply FILE`"
        ) from None
    except UnicodeDecodeError:
        raise PolicyInvalid(f"{path} is not UTF-8 text", hint="save the policy as UTF-8") from None
    return parse_policy(text, source=str(path))


class _Checker:
    def __init__(self, text: str, source: str) -> None:
        self.lines = LineIndex(text)
        self.source = source
        self.problems: list[str] = []

    def problem(self, path: tuple[str, ...], message: str, needle: str | None = None) -> None:
        line = self.lines.line_of(path, needle)
        self.problems.append(f"{self.source}:{line}: {message}")

    def unknown_keys(self, table: dict[str, Any], allowed: set[str], path: tuple[str, ...]) -> None:
        for key in table:
            if key not in allowed:
                hint = did_you_mean(key, allowed, "key")
                self.problem(path + (key,), f"unknown key '{key}' — {hint}")

    def string(self, table: dict[str, Any], key: str, path: tuple[str, ...]) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(path + (key,), f"'{key}' must be a non-empty string")
            return ""
        return value

    def string_list(self, table: dict[str, Any], key: str, path: tuple[str, ...]) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(path + (key,), f"'{key}' must be a list of strings")
            return []
        return value


def parse_policy(text: str, *, source: str = "policy.toml") -> Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyInvalid(
            f"{source}: not valid TOML ({exc})",
            hint="fix the syntax at the line shown",
            problems=(f"{source}: {exc}",),
        ) from None
    check = _Checker(text, source)
    check.unknown_keys(data, _TOP_KEYS, ())
    if data.get("schema") != SCHEMA_VERSION:
        check.problem(("schema",), f"'schema' must be {SCHEMA_VERSION}")
    shop = _shop(data.get("shop"), check)
    purposes = _purposes(data.get("purposes"), check)
    roles = _roles(data.get("roles"), purposes, check)
    on_invalid = _quality(data.get("quality", {}), check)
    retention = _retention_settings(data.get("retention", {}), check)
    _check_amazon_retention(purposes, retention, check)
    scan = parse_scan_settings(data.get("scan", {}), check)
    if check.problems:
        count = len(check.problems)
        raise PolicyInvalid(
            f"{check.problems[0]}" + (f" (and {count - 1} more)" if count > 1 else ""),
            hint="run `tutela policy check` to see every problem",
            problems=tuple(check.problems),
        )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Policy(shop=shop, purposes=purposes, roles=roles, sha256=digest, text=text, on_invalid=on_invalid,
                  retention=retention, scan=scan)  # fmt: skip


def _retention_settings(raw: object, check: _Checker) -> RetentionSettings:
    path = ("retention",)
    default = RetentionSettings()
    if not isinstance(raw, dict):
        check.problem(path, "[retention] must be a table")
        return default
    check.unknown_keys(raw, _RETENTION_KEYS, path)
    cap: RetentionRule | None = default.amazon_cap
    if "amazon_cap" in raw:
        text = raw["amazon_cap"]
        cap = None if text == "none" else _retention(text, path + ("amazon_cap",), check)
        if cap is not None and not _ends_by_delivery(cap):
            check.problem(
                path + ("amazon_cap",),
                f"amazon_cap must end within {AMAZON_PII_RETENTION_DAYS_AFTER_DELIVERY} days after delivery"
                f' (Amazon DPP §2.1) — e.g. "{AMAZON_PII_RETENTION_DAYS_AFTER_DELIVERY} days after delivered"',
            )
    buffer = raw.get("delivery_buffer_days", default.delivery_buffer_days)
    if not isinstance(buffer, int) or isinstance(buffer, bool) or not 0 <= buffer <= 90:
        check.problem(path + ("delivery_buffer_days",), "delivery_buffer_days must be a whole number from 0 to 90")
        buffer = default.delivery_buffer_days
    years = raw.get("tax_years", {})
    tax_years: dict[str, int] = {}
    if not isinstance(years, dict):
        check.problem(path + ("tax_years",), "tax_years must be a table such as { DE = 10, US = 7 }")
    else:
        for country, count in years.items():
            if not re.fullmatch(r"[A-Z]{2}", country) or not isinstance(count, int) or not 1 <= count <= 30:
                check.problem(path + ("tax_years",), f"tax_years.{country} must be 1 to 30 years for an ISO"
                              " country code such as DE", country)  # fmt: skip
                continue
            tax_years[country] = count
    return RetentionSettings(amazon_cap=cap, delivery_buffer_days=buffer, tax_years=tax_years)


def _ends_by_delivery(rule: RetentionRule) -> bool:
    return (
        not rule.is_until
        and rule.event in EVENTS_NOT_AFTER_DELIVERY
        and rule.approx_days() <= AMAZON_PII_RETENTION_DAYS_AFTER_DELIVERY
    )


def _check_amazon_retention(purposes: dict[str, Purpose], settings: RetentionSettings, check: _Checker) -> None:
    """DPP §2.1: Amazon PII no longer than 30 days after delivery, unless the law requires it."""
    if settings.amazon_cap is not None:
        return
    for purpose in purposes.values():
        if (
            "amazon" in purpose.sources
            and purpose.legal_basis is not LegalBasis.LEGAL_OBLIGATION
            and not _ends_by_delivery(purpose.retention)
        ):
            check.problem(
                ("purposes", purpose.key, "retention"),
                f"purpose '{purpose.key}' would keep Amazon PII '{purpose.retention.text}', which can last longer"
                f" than {AMAZON_PII_RETENTION_DAYS_AFTER_DELIVERY} days after delivery (Amazon DPP §2.1) — set"
                f' [retention] amazon_cap = "{AMAZON_PII_RETENTION_DAYS_AFTER_DELIVERY} days after delivered",'
                " end the rule by delivery, or make it a legal_obligation purpose",
            )


def _quality(raw: object, check: _Checker) -> OnInvalid:
    if not isinstance(raw, dict):
        check.problem(("quality",), "[quality] must be a table")
        return OnInvalid.FLAG
    check.unknown_keys(raw, {"on_invalid"}, ("quality",))
    value = raw.get("on_invalid", OnInvalid.FLAG.value)
    if value not in {o.value for o in OnInvalid}:
        check.problem(("quality", "on_invalid"), 'on_invalid must be "flag" (store, marked) or "reject" (do not store)')
        return OnInvalid.FLAG
    return OnInvalid(value)


def _shop(raw: object, check: _Checker) -> Shop:
    if not isinstance(raw, dict):
        check.problem(("shop",), "a [shop] table with name, country and privacy_contact is required")
        return Shop("", "", "")
    check.unknown_keys(raw, _SHOP_KEYS, ("shop",))
    country = check.string(raw, "country", ("shop",))
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        check.problem(("shop", "country"), "'country' must be an ISO 3166-1 alpha-2 code such as 'DE'")
    return Shop(
        name=check.string(raw, "name", ("shop",)),
        country=country,
        privacy_contact=check.string(raw, "privacy_contact", ("shop",)),
    )


def _retention(raw: object, path: tuple[str, ...], check: _Checker) -> RetentionRule:
    text = raw if isinstance(raw, str) else ""
    match = _RETENTION.match(text)
    if not match:
        check.problem(
            path,
            "retention must read '<N> days|months|years after <event>' or 'until <event>'"
            " — e.g. '30 days after delivered'",
        )
        return RetentionRule(text=text, event="collected")
    event = match.group("event")
    if event not in RETENTION_EVENTS:
        hint = did_you_mean(event, RETENTION_EVENTS, "event")
        check.problem(path, f"unknown retention event '{event}' — {hint}")
    unit = match.group("unit") or ""
    if unit and not unit.endswith("s"):
        unit += "s"
    amount = int(match.group("amount") or 0)
    return RetentionRule(text=text.strip(), event=event, amount=amount, unit=unit)


def _purposes(raw: object, check: _Checker) -> dict[str, Purpose]:
    if not isinstance(raw, dict) or not raw:
        check.problem(("purposes",), "at least one [purposes.<name>] table is required")
        return {}
    purposes: dict[str, Purpose] = {}
    for key, table in raw.items():
        path = ("purposes", key)
        if not _NAME.match(key):
            check.problem(path, f"purpose name '{key}' must be lower_snake_case")
        if not isinstance(table, dict):
            check.problem(path, f"purpose '{key}' must be a table")
            continue
        check.unknown_keys(table, _PURPOSE_KEYS, path)
        basis_text = table.get("legal_basis")
        if basis_text not in {b.value for b in LegalBasis}:
            hint = did_you_mean(str(basis_text), [b.value for b in LegalBasis], "legal basis")
            check.problem(path + ("legal_basis",), f"unknown legal basis '{basis_text}' — {hint}")
            basis = LegalBasis.CONTRACT
        else:
            basis = LegalBasis(basis_text)
        categories = check.string_list(table, "categories", path)
        for category in categories:
            if category not in CATEGORIES:
                hint = did_you_mean(category, CATEGORIES, "category")
                check.problem(path + ("categories",), f"unknown category '{category}' — {hint}", category)
        sources = check.string_list(table, "sources", path)
        for source in sources:
            if source not in SOURCES:
                hint = did_you_mean(source, SOURCES, "source")
                check.problem(path + ("sources",), f"unknown source '{source}' — {hint}", source)
        marketing = bool(table.get("marketing", False))
        purpose = Purpose(
            key=key,
            description=check.string(table, "description", path),
            legal_basis=basis,
            categories=frozenset(categories),
            sources=frozenset(sources),
            retention=_retention(table.get("retention"), path + ("retention",), check),
            marketing=marketing,
            restricted=bool(table.get("restricted", False)),
            consent_valid_for=_period(table, path, check),
            recipients=tuple(check.string_list(table, "recipients", path)) if "recipients" in table else (),
        )
        _check_amazon_rules(purpose, path, check, basis_known=basis_text in {b.value for b in LegalBasis})
        purposes[key] = purpose
    return purposes


def _period(table: dict[str, Any], path: tuple[str, ...], check: _Checker) -> tuple[int, str] | None:
    raw = table.get("consent_valid_for")
    if raw is None:
        return None
    match = _PERIOD.match(raw) if isinstance(raw, str) else None
    if match is None or int(match.group("amount")) < 1:
        check.problem(
            path + ("consent_valid_for",), "consent_valid_for must read '<N> days|months|years', e.g. '24 months'"
        )
        return None
    basis = table.get("legal_basis")
    if basis in {b.value for b in LegalBasis} and basis != LegalBasis.CONSENT.value:  # a typo is reported once
        check.problem(
            path + ("consent_valid_for",), "consent_valid_for only applies to a purpose whose legal_basis is consent"
        )
    unit = match.group("unit")
    return int(match.group("amount")), unit if unit.endswith("s") else unit + "s"


def _check_amazon_rules(purpose: Purpose, path: tuple[str, ...], check: _Checker, *, basis_known: bool) -> None:
    if purpose.marketing and "amazon" in purpose.sources:
        check.problem(
            path + ("sources",),
            f"marketing purpose '{purpose.key}' may not use source 'amazon' (Amazon AUP §4.2:"
            " no marketing to Amazon customers) — remove 'amazon' from its sources",
            "amazon",
        )
    if purpose.marketing and basis_known and purpose.legal_basis is not LegalBasis.CONSENT:
        check.problem(
            path + ("legal_basis",),
            f"marketing purpose '{purpose.key}' needs legal_basis = \"consent\"",
        )
    rule = purpose.retention
    if (
        "amazon" in purpose.sources
        and purpose.legal_basis is not LegalBasis.LEGAL_OBLIGATION
        and rule.event == "delivered"
        and not rule.is_until
        and rule.approx_days() > AMAZON_PII_RETENTION_DAYS_AFTER_DELIVERY
    ):
        check.problem(
            path + ("retention",),
            f"purpose '{purpose.key}' keeps Amazon PII longer than"
            f" {AMAZON_PII_RETENTION_DAYS_AFTER_DELIVERY} days after delivery (Amazon DPP §2.1)"
            " — shorten it, or use a legal_obligation purpose for what the law requires",
        )


def _roles(raw: object, purposes: dict[str, Purpose], check: _Checker) -> dict[str, Role]:
    if not isinstance(raw, dict) or not raw:
        check.problem(("roles",), "at least one [roles.<name>] table is required")
        return {}
    roles: dict[str, Role] = {}
    for key, table in raw.items():
        path = ("roles", key)
        if not _NAME.match(key):
            check.problem(path, f"role name '{key}' must be lower_snake_case")
        if not isinstance(table, dict):
            check.problem(path, f"role '{key}' must be a table")
            continue
        check.unknown_keys(table, _ROLE_KEYS, path)
        access = table.get("access", {})
        if not isinstance(access, dict):
            check.problem(path + ("access",), "'access' must be a table of purpose = { plain = [...], masked = [...] }")
            access = {}
        grants: dict[str, dict[str, Access]] = {}
        for purpose_key, levels in access.items():
            grant_path = path + ("access", purpose_key)
            if purpose_key != WILDCARD and purpose_key not in purposes:
                hint = did_you_mean(purpose_key, purposes, "purpose")
                check.problem(grant_path, f"role '{key}' names unknown purpose '{purpose_key}' — {hint}")
                continue
            grants[purpose_key] = _grant(
                role=key, purpose_key=purpose_key, levels=levels, purposes=purposes, path=grant_path, check=check
            )
        roles[key] = Role(key=key, description=str(table.get("description", "")), grants=grants)
    return roles


def _grant(
    *,
    role: str,
    purpose_key: str,
    levels: object,
    purposes: dict[str, Purpose],
    path: tuple[str, ...],
    check: _Checker,
) -> dict[str, Access]:
    by_category: dict[str, Access] = {}
    if not isinstance(levels, dict):
        check.problem(path, "each purpose grant must be a table such as { plain = [...], masked = [...] }")
        return by_category
    for level, categories in levels.items():
        if level not in {a.value for a in Access}:
            hint = did_you_mean(level, [a.value for a in Access], "access level")
            check.problem(path, f"unknown access level '{level}' — {hint}", level)
            continue
        if not isinstance(categories, list):
            check.problem(path, f"'{level}' must be a list of categories")
            continue
        for category in categories:
            if category != WILDCARD and category not in CATEGORIES:
                hint = did_you_mean(str(category), CATEGORIES, "category")
                check.problem(path, f"unknown category '{category}' — {hint}", str(category))
                continue
            if WILDCARD not in (purpose_key, category) and category not in purposes[purpose_key].categories:
                check.problem(
                    path,
                    f"role '{role}' is granted '{category}' under '{purpose_key}', which does not"
                    f" collect it — add it to purposes.{purpose_key}.categories or remove the grant",
                    category,
                )
                continue
            if category in by_category:
                check.problem(path, f"'{category}' is listed twice for '{purpose_key}'", category)
            by_category[category] = Access(level)
    return by_category
