"""Exit codes, one per kind of problem; docs/errors.md lists them. Chosen here only."""

from __future__ import annotations

from tutela.core.errors import TutelaError

OK = 0
INTERNAL = 1
USAGE = 2
POLICY_OR_CONFIG = 3
KEYS = 4
NOT_FOUND = 5
REFUSED = 6
STORAGE = 7
INTEGRITY = 8
# `tutela scan --fail-on`: the scan ran and found what the gate forbids.
FINDINGS = 10

_BY_PREFIX = {
    "config.": POLICY_OR_CONFIG,
    "policy.": POLICY_OR_CONFIG,
    "keys.": KEYS,
    "customer.restricted": REFUSED,
    "customer.": NOT_FOUND,
    "request.not_found": NOT_FOUND,
    "request.": REFUSED,
    "order.not_found": NOT_FOUND,
    "returns.not_found": NOT_FOUND,
    "returns.": REFUSED,
    "store.not_initialised": NOT_FOUND,
    "store.exists": REFUSED,
    "vault.cannot_open": INTEGRITY,
    "vault.": REFUSED,
    "input.": REFUSED,
    "import.": REFUSED,
    "staff.not_found": NOT_FOUND,
    "staff.": REFUSED,
    "token.": REFUSED,
    "link.": REFUSED,
    "hold.not_found": NOT_FOUND,
    "hold.": REFUSED,
    "amazon.": REFUSED,
    "storage.": STORAGE,
    "mail.not_sent": STORAGE,  # like the database: a service tutela needs cannot be reached
    "audit.": INTEGRITY,
    "scan.input_invalid": NOT_FOUND,
    "scan.not_found": NOT_FOUND,
    "scan.refused": REFUSED,
    "scan.cluster_unreachable": STORAGE,
}


def exit_code_for(error: TutelaError) -> int:
    for prefix, code in _BY_PREFIX.items():
        if error.code.startswith(prefix):
            return code
    return INTERNAL
