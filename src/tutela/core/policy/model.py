"""What a validated policy is. Built only by `load.parse_policy`."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tutela.core.errors import UnknownPurpose, UnknownRole
from tutela.core.policy.scan_locations import ScanSettings
from tutela.core.suggest import did_you_mean


class LegalBasis(StrEnum):
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    CONSENT = "consent"
    LEGITIMATE_INTEREST = "legitimate_interest"


class Access(StrEnum):
    PLAIN = "plain"
    MASKED = "masked"
    DENIED = "denied"


SOURCES = ("amazon", "shopify", "own_shop", "manual")

RETENTION_EVENTS = (
    "collected",
    "purchased",
    "shipped",
    "delivered",
    "return_opened",
    "return_closed",
    "ticket_closed",
    "consent_withdrawn",
    "last_activity",
    "invoiced",
)

WILDCARD = "*"


@dataclass(frozen=True)
class RetentionRule:
    """`<amount> <unit> after <event>` or `until <event>`."""

    text: str
    event: str
    amount: int = 0
    unit: str = ""  # "days" | "months" | "years"; empty for `until`

    @property
    def is_until(self) -> bool:
        return not self.unit

    def approx_days(self) -> int:
        per_unit = {"days": 1, "months": 31, "years": 366}
        return self.amount * per_unit.get(self.unit, 0)


@dataclass(frozen=True)
class Shop:
    name: str
    country: str
    privacy_contact: str


@dataclass(frozen=True)
class Purpose:
    key: str
    description: str
    legal_basis: LegalBasis
    categories: frozenset[str]
    sources: frozenset[str]
    retention: RetentionRule
    marketing: bool = False
    restricted: bool = False  # fields stored under it are visible under this purpose only
    # Consent purposes: a grant lapses after this long unless re-confirmed (None: it does not lapse).
    consent_valid_for: tuple[int, str] | None = None  # (amount, "days" | "months" | "years")
    # Who receives the data for this purpose (told to customers in an access reply), e.g. "carriers".
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class Role:
    key: str
    description: str
    # purpose key (or "*") -> category key (or "*") -> access
    grants: dict[str, dict[str, Access]] = field(default_factory=dict)


# Events that come no later than delivery: a rule counted from them cannot outlast delivery + N.
EVENTS_NOT_AFTER_DELIVERY = frozenset({"collected", "purchased", "shipped", "delivered"})


@dataclass(frozen=True)
class RetentionSettings:
    """[retention]: what holds across purposes."""

    # Amazon DPP §2.1: Amazon-sourced fields outside a legal-obligation purpose are deleted at
    # the latest by this rule, whatever the purpose's own rule says. None: no cap (then every
    # purpose using Amazon data must itself end within 30 days after delivery).
    amazon_cap: RetentionRule | None = RetentionRule(text="30 days after delivered", event="delivered", amount=30,
                                                     unit="days")  # fmt: skip
    # Delivery date unknown: the latest promised delivery, else the ship date plus this many days.
    delivery_buffer_days: int = 14
    # Legal-obligation purposes keep their fields this many years in the shop's country.
    tax_years: dict[str, int] = field(default_factory=dict)


class OnInvalid(StrEnum):
    FLAG = "flag"  # store the value, marked as failing validation
    REJECT = "reject"  # do not store the value


@dataclass(frozen=True)
class Policy:
    shop: Shop
    purposes: dict[str, Purpose]
    roles: dict[str, Role]
    sha256: str
    text: str
    on_invalid: OnInvalid = OnInvalid.FLAG
    retention: RetentionSettings = RetentionSettings()
    scan: ScanSettings = field(default_factory=ScanSettings)

    def purpose(self, key: str) -> Purpose:
        try:
            return self.purposes[key]
        except KeyError:
            raise UnknownPurpose(f"unknown purpose '{key}'", hint=did_you_mean(key, self.purposes, "purpose")) from None

    def role(self, key: str) -> Role:
        try:
            return self.roles[key]
        except KeyError:
            raise UnknownRole(f"unknown role '{key}'", hint=did_you_mean(key, self.roles, "role")) from None

    def decide(self, role: str, purpose: str, category: str) -> Access:
        """What `role`, acting under `purpose`, may see of `category`. Denied unless granted."""
        acting_purpose = self.purpose(purpose)
        if category not in acting_purpose.categories:
            return Access.DENIED
        grants = self.role(role).grants
        for purpose_key in (purpose, WILDCARD):
            by_category = grants.get(purpose_key)
            if by_category is None:
                continue
            for category_key in (category, WILDCARD):
                if category_key in by_category:
                    return by_category[category_key]
        return Access.DENIED

    def purposes_collecting(self, category: str, source: str) -> list[str]:
        return [p.key for p in self.purposes.values() if category in p.categories and source in p.sources]
