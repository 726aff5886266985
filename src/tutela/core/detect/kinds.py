"""What the scanner can find: the types of personal data, how bad a leak of each is, and
one detection as a span of text. Every other part of the scanner (sources, outputs,
redaction, the console) speaks these types, so they are fixed here and nowhere else."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PiiType(StrEnum):
    EMAIL = "email"
    AMAZON_RELAY_EMAIL = "amazon_relay_email"
    PHONE = "phone"
    PERSON_NAME = "person_name"
    STREET_ADDRESS = "street_address"
    POSTAL_CODE = "postal_code"
    PAYMENT_CARD = "payment_card"
    IBAN = "iban"
    US_SSN = "us_ssn"
    IP_ADDRESS = "ip_address"
    DATE_OF_BIRTH = "date_of_birth"
    AMAZON_ORDER_ID = "amazon_order_id"
    CN_MOBILE = "cn_mobile"
    CN_RESIDENT_ID = "cn_resident_id"


class Severity(StrEnum):
    """`--fail-on high` fails on HIGH only; `--fail-on any` on both."""

    HIGH = "high"
    LOW = "low"


# A value that names, reaches or pays as a person is HIGH wherever it leaks; an order id, an
# IP address or a postal code alone only points at one, so it is LOW.
SEVERITY: dict[PiiType, Severity] = {
    PiiType.EMAIL: Severity.HIGH,
    PiiType.AMAZON_RELAY_EMAIL: Severity.HIGH,
    PiiType.PHONE: Severity.HIGH,
    PiiType.PERSON_NAME: Severity.HIGH,
    PiiType.STREET_ADDRESS: Severity.HIGH,
    PiiType.POSTAL_CODE: Severity.LOW,
    PiiType.PAYMENT_CARD: Severity.HIGH,
    PiiType.IBAN: Severity.HIGH,
    PiiType.US_SSN: Severity.HIGH,
    PiiType.IP_ADDRESS: Severity.LOW,
    PiiType.DATE_OF_BIRTH: Severity.HIGH,
    PiiType.AMAZON_ORDER_ID: Severity.LOW,
    PiiType.CN_MOBILE: Severity.HIGH,
    PiiType.CN_RESIDENT_ID: Severity.HIGH,
}


@dataclass(frozen=True, slots=True)
class Detection:
    """One value found in a text: `text[start:end]` (character offsets into the text that was
    scanned), its type, the detector that found it (a stable id such as "card.luhn") and how
    sure that detector is (0..1; validated values score higher than pattern-only ones)."""

    start: int
    end: int
    type: PiiType
    detector: str
    confidence: float

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.type]


@dataclass(frozen=True, slots=True)
class ColumnVerdict:
    """A table column judged as a whole (CSV, XLSX, a database column): the type it holds,
    how many of the sampled non-empty values matched it, and how sure the verdict is."""

    type: PiiType
    detector: str
    confidence: float
    matched: int
    sampled: int
