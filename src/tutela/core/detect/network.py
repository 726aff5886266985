"""E-mail addresses (Amazon's buyer relay addresses reported as their own type) and IP
addresses."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutela.core.detect.kinds import Detection, PiiType
from tutela.core.detect.runs import shaped
from tutela.core.detect.validators import ip_valid

# Found from the "@" (a literal `re` finds in C): the local part is read backwards, 64
# characters at most and starting a token, the domain forwards.
_AT = re.compile("@")
_LOCAL_PART = re.compile(r"(?<![\w.%+-])[\w][\w.%+-]{0,63}\Z")
_DOMAIN = re.compile(r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![\w-])")
_RELAY_DOMAIN = re.compile(r"@marketplace\.amazon\.[a-z.]{2,8}$", re.IGNORECASE)

_IPV4 = re.compile(r"\d(?<![\w.-]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\w-]|\.\w)")
# "v" or "version" right before four dotted numbers makes them a version, not an address.
_VERSION_BEFORE = re.compile(r"(?i:v|version|ver\.?|release|build)\s?$")
_IPV6 = re.compile(
    r"[0-9A-Fa-f:](?<![\w:.].)(?:(?<=:)|[0-9A-Fa-f]{0,3}:)(?:[0-9A-Fa-f]{0,4}:){1,6}[0-9A-Fa-f]{0,4}(?![\w:]|\.\w)"
)
# An IPv6 address's first colon is followed by at most four hex digits and another colon.
# Hex digits are a third of a text, colons few: the address is found from such a colon (a
# literal `re` finds in C) and its start read backwards, at most four hex digits. An address
# starts a token, so addresses never overlap and each colon has one possible start.
_IPV6_COLON = re.compile(r":(?=[0-9A-Fa-f]{0,4}:)")
_HEX = frozenset("0123456789abcdefABCDEF")


def emails(text: str) -> Iterator[Detection]:
    end = 0
    for at_sign in _AT.finditer(text):
        at = at_sign.start()
        if at < end:
            continue
        local = _LOCAL_PART.search(text, max(end, at - 64), at)
        domain = _DOMAIN.match(text, at) if local else None
        if local is None or domain is None:
            continue
        start, end = local.start(), domain.end()
        if _RELAY_DOMAIN.search(domain.group()):
            yield Detection(start, end, PiiType.AMAZON_RELAY_EMAIL, "email.amazon_relay", 0.99)
        else:
            yield Detection(start, end, PiiType.EMAIL, "email.pattern", 0.95)


def ip_addresses(text: str) -> Iterator[Detection]:
    for run_start, endpos in shaped(text).ipv4:
        for match in _IPV4.finditer(text, run_start, endpos):
            start = match.start()
            if _VERSION_BEFORE.search(text, max(0, start - 8), start):
                continue
            if ip_valid(match.group()):
                yield Detection(start, match.end(), PiiType.IP_ADDRESS, "ip.v4", 0.9)
    if ":" in text:
        yield from _ipv6(text)


def _ipv6(text: str) -> Iterator[Detection]:
    end = 0
    for colon in _IPV6_COLON.finditer(text):
        start = colon.start()
        if start < end:
            continue  # inside the previous address
        while start > 0 and colon.start() - start < 5 and text[start - 1] in _HEX:
            start -= 1
        match = _IPV6.match(text, start)
        if match is None:
            continue
        value, end = match.group(), match.end()
        # A time (12:30:45) or a MAC address parses as neither; "::" alone is not an address.
        if value.count(":") >= 2 and len(value) > 4 and ip_valid(value):
            yield Detection(start, end, PiiType.IP_ADDRESS, "ip.v6", 0.9)
