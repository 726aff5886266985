"""E-mail addresses (Amazon's buyer relay addresses reported as their own type) and IP
addresses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.core.detect.kinds import Detection, PiiType
from tutela.core.detect.validators import ip_valid

# The local part is bounded and must start a token, so a long run of word characters without
# an "@" is tried once, not once per character.
_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w][\w.%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![\w-])"
)
_RELAY_DOMAIN = re.compile(r"@marketplace\.amazon\.[a-z.]{2,8}$", re.IGNORECASE)

_IPV4 = re.compile(r"(?<![\w.-])(?:\d{1,3}\.){3}\d{1,3}(?![\w-]|\.\w)")
# "v" or "version" right before four dotted numbers makes them a version, not an address.
_VERSION_BEFORE = re.compile(r"(?i:v|version|ver\.?|release|build)\s?$")
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:]|\.\w)")


def emails(text: str) -> Iterator[Detection]:
    for match in _EMAIL.finditer(text):
        if _RELAY_DOMAIN.search(match.group()):
            yield Detection(match.start(), match.end(), PiiType.AMAZON_RELAY_EMAIL, "email.amazon_relay", 0.99)
        else:
            yield Detection(match.start(), match.end(), PiiType.EMAIL, "email.pattern", 0.95)


def ip_addresses(text: str) -> Iterator[Detection]:
    for match in _IPV4.finditer(text):
        start = match.start()
        if _VERSION_BEFORE.search(text, max(0, start - 8), start):
            continue
        if ip_valid(match.group()):
            yield Detection(start, match.end(), PiiType.IP_ADDRESS, "ip.v4", 0.9)
    if ":" not in text:
        return
    for match in _IPV6.finditer(text):
        value = match.group()
        # A time (12:30:45) or a MAC address parses as neither; "::" alone is not an address.
        if value.count(":") >= 2 and len(value) > 4 and ip_valid(value):
            yield Detection(match.start(), match.end(), PiiType.IP_ADDRESS, "ip.v6", 0.9)
