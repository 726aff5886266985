"""The rule pack: the numbers of Amazon's DPP/AUP and the laws, kept in one place so a
policy change is a data change (../shared/rules.md)."""

from __future__ import annotations

from typing import Final

AMAZON_PII_RETENTION_DAYS_AFTER_DELIVERY: Final = 30  # DPP §2.1
AMAZON_DELETE_AFTER_NOTICE_DAYS: Final = 30  # DPP §1.7
AMAZON_LOG_RETENTION_MONTHS: Final = 12  # DPP §2.6.1
AMAZON_INCIDENT_NOTIFY_HOURS: Final = 24  # DPP §1.6.3

# DPP §1.2 / §1.4 (Nov 2025): staff accounts
PASSWORD_MIN_LENGTH: Final = 12
PASSWORD_MIN_AGE_DAYS: Final = 1
PASSWORD_MAX_AGE_DAYS: Final = 365
PASSWORD_HISTORY: Final = 10
LOCKOUT_FAILED_ATTEMPTS: Final = 10
API_TOKEN_MAX_DAYS: Final = 365  # programmatic credentials rotated at least every 12 months (§1.4.2)
STAFF_SETUP_LINK_HOURS: Final = 72
