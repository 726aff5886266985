"""Numbering plans: phonenumbers' own validity rules, read from its metadata with each
pattern compiled once.

`phonenumbers.parse` and `is_valid_number` cost tens of microseconds a call, most of it
finding each pattern again in `re`'s cache and building objects a verdict does not need;
the first pass over a text judges every distinct number once, so this is where a cold scan
spends its phone time. The functions here give the same verdicts as phonenumbers (the
steps below mirror `parse`, `is_valid_number_for_region`, `is_valid_number` and their
helpers, and the tests compare both on many numbers) for numbers written with digits and
separators only, and answer None where a number takes one of parse's rarer paths (an
international dialling prefix written without "+", a country code written without it), so
that the caller asks phonenumbers itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata
from phonenumbers.phonemetadata import PhoneNumberDesc

# parse's bounds on a national significant number.
_SHORTEST, _LONGEST = 2, 17
_NON_GEOGRAPHIC = "001"


@lru_cache(maxsize=4096)
def _regex(source: str) -> re.Pattern[str]:
    """A metadata pattern, compiled when first needed: a scan meets a few dozen regions and
    needs only some of each one's patterns, and compiling them all costs more than judging."""
    return re.compile(source)


@dataclass(frozen=True, slots=True)
class _Desc:
    """One number type's possible lengths (empty: any) and pattern (None: matches nothing)."""

    lengths: frozenset[int]
    pattern: str | None

    def matches(self, nsn: str) -> bool:
        if self.lengths and len(nsn) not in self.lengths:
            return False
        return self.pattern is not None and _regex(self.pattern).fullmatch(nsn) is not None


def _pattern(desc: PhoneNumberDesc | None) -> str | None:
    source = desc.national_number_pattern if desc is not None else None
    return source or None


def _desc(desc: PhoneNumberDesc | None) -> _Desc:
    if desc is None:
        return _Desc(frozenset(), None)
    return _Desc(frozenset(desc.possible_length or ()), _pattern(desc))


@dataclass(frozen=True, slots=True)
class Plan:
    """The parts of a region's metadata that parsing and validating a number read."""

    country_code: int
    general: _Desc
    general_pattern: str | None  # without the length check, as parse uses it
    # The types `_number_type_helper` tries after the general description, in its order.
    types: tuple[_Desc, ...]
    leading_digits: str | None
    international_prefix: str | None
    national_prefix: str | None
    transform_rule: str | None
    lengths: tuple[int, ...]
    local_lengths: tuple[int, ...]

    def has_type(self, nsn: str) -> bool:
        """Whether `_number_type_helper` gives the number a type (not UNKNOWN)."""
        return self.general.matches(nsn) and any(desc.matches(nsn) for desc in self.types)

    def viable(self, number: str) -> bool:
        return self.general_pattern is not None and _regex(self.general_pattern).fullmatch(number) is not None

    def without_national_prefix(self, number: str) -> str:
        """`_maybe_strip_national_prefix_carrier_code`'s number."""
        if not number or self.national_prefix is None:
            return number
        prefix = _regex(self.national_prefix)
        match = prefix.match(number)
        if match is None:
            return number
        groups = match.groups()
        if not self.transform_rule or groups[len(groups) - 1] is None:
            stripped = number[match.end() :]
        else:
            stripped = prefix.sub(self.transform_rule, number, count=1)
        return number if self.viable(number) and not self.viable(stripped) else stripped

    def possible_length(self, number: str) -> bool:
        """Whether `_test_number_length` gives neither TOO_SHORT, IS_POSSIBLE_LOCAL_ONLY nor
        INVALID_LENGTH (parse keeps the national prefix stripped only then)."""
        length = len(number)
        if length in self.local_lengths:
            return False
        shortest = self.lengths[0]
        if length <= shortest:
            return length == shortest
        return self.lengths[-1] < length or length in self.lengths[1:]

    def national_number(self, digits: str) -> str:
        """The national significant number parse makes of `digits` after the country code."""
        stripped = self.without_national_prefix(digits)
        return stripped if self.possible_length(stripped) else digits


def _plan(metadata: PhoneMetadata) -> Plan | None:
    general = metadata.general_desc
    if metadata.country_code is None or general is None:
        return None  # no such region ships; phonenumbers would call all its numbers invalid
    types = [
        metadata.premium_rate, metadata.toll_free, metadata.shared_cost, metadata.voip,
        metadata.personal_number, metadata.pager, metadata.uan, metadata.voicemail, metadata.fixed_line,
    ]  # fmt: skip
    if not metadata.same_mobile_and_fixed_line_pattern:
        types.append(metadata.mobile)
    return Plan(
        country_code=metadata.country_code,
        general=_desc(general),
        general_pattern=_pattern(general),
        types=tuple(_desc(desc) for desc in types),
        leading_digits=metadata.leading_digits,
        international_prefix=metadata.international_prefix or None,
        national_prefix=metadata.national_prefix_for_parsing or None,
        transform_rule=metadata.national_prefix_transform_rule,
        lengths=tuple(general.possible_length),
        local_lengths=tuple(general.possible_length_local_only or ()),
    )


@lru_cache(maxsize=512)
def _compiled(country_code: int, region: str) -> Plan | None:
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    return _plan(metadata) if metadata is not None else None


def plan(country_code: int, region: str) -> Plan | None:
    """`PhoneMetadata.metadata_for_region_or_calling_code`, compiled (the country code only
    tells non-geographic numbers apart)."""
    return _compiled(country_code if region == _NON_GEOGRAPHIC else 0, region)


def _region_plan(region: str) -> Plan | None:
    return plan(0, region) if region != _NON_GEOGRAPHIC else None


def valid_for_region(country_code: int, nsn: str, region: str) -> bool:
    """`phonenumbers.is_valid_number_for_region`."""
    found = plan(country_code, region)
    if found is None or (region != _NON_GEOGRAPHIC and found.country_code != country_code):
        return False
    return found.has_type(nsn)


def valid(country_code: int, nsn: str) -> bool:
    """`phonenumbers.is_valid_number`: valid for the region the number belongs to, the first
    of the regions sharing its country code whose leading digits or ranges it fits."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if not regions:
        return False
    if len(regions) == 1:
        return valid_for_region(country_code, nsn, regions[0])
    for region in regions:
        found = _region_plan(region)
        if found is None:
            continue
        if found.leading_digits is not None:
            if _regex(found.leading_digits).match(nsn):
                return valid_for_region(country_code, nsn, region)
        elif found.has_type(nsn):
            return valid_for_region(country_code, nsn, region)
    return False


def valid_in(country_code: int, nsn: str, region: str) -> bool:
    """Valid for `region`, asked first because it is the likeliest, or else for any region
    sharing the country code (the full check tries each of them: 25 for +1)."""
    if valid_for_region(country_code, nsn, region):
        return True
    return len(COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())) > 1 and valid(country_code, nsn)


def split_country_code(digits: str) -> tuple[int, str] | None:
    """`_extract_country_code`: country codes are prefix-free, one to three digits."""
    if not digits or digits[0] == "0":
        return None
    for length in (1, 2, 3):
        if length <= len(digits) and int(digits[:length]) in COUNTRY_CODE_TO_REGION_CODE:
            return int(digits[:length]), digits[length:]
    return None


def international_valid(digits: str) -> bool:
    """Whether "+" followed by `digits` parses (region None) to a valid number, as
    `is_valid_number` judges it with the country code's main region asked first."""
    split = split_country_code(digits) if len(digits) > _SHORTEST else None
    if split is None or not split[1]:
        return False
    country_code, rest = split
    region = COUNTRY_CODE_TO_REGION_CODE[country_code][0]
    # As written first (the check this module replaced asked so, and parse below may strip a
    # prefix from a number that was valid with it); a number of zeros keeps one more, as
    # `national_significant_number` writes it.
    if valid_in(country_code, rest if rest.strip("0") else rest + "0", region):
        return True
    found = plan(country_code, region)
    nsn = found.national_number(rest) if found is not None and len(rest) >= _SHORTEST else ""
    return _SHORTEST <= len(nsn) <= _LONGEST and valid_in(country_code, nsn, region)


def national_valid(digits: str, region: str) -> bool | None:
    """Whether `digits`, written without "+", parse for `region` to a number valid there or
    in a region sharing its country code; None where phonenumbers must decide."""
    found = _region_plan(region)
    if found is None:
        return None
    if found.international_prefix is not None and _regex(found.international_prefix).match(digits):
        return None  # dialled abroad from the region
    if digits.startswith(str(found.country_code)):
        return None  # perhaps the country code without its "+"
    if len(digits) < _SHORTEST:
        return False
    nsn = found.national_number(digits)
    if not _SHORTEST <= len(nsn) <= _LONGEST:
        return False
    return valid_in(found.country_code, nsn, region)
