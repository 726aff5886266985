"""A table column judged as a whole. The values are the evidence: each sampled cell is run
through the detectors on its own. The header is a prior: it names what values alone cannot
prove (a surname missing from the gazetteer, a five-digit postal code) and it vetoes weak
value evidence in columns that are known not to be personal (sku, asin, price, quantity)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence

from tutela.core.detect.detectors import detect
from tutela.core.detect.kinds import ColumnVerdict, PiiType
from tutela.core.detect.validators import ip_valid

# Header words per type, in the seller's languages; matched against the lower-cased header
# with separators turned into spaces (so "ship-postal-code" reads "ship postal code").
_HEADER_HINTS: tuple[tuple[PiiType, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        (PiiType.AMAZON_ORDER_ID, r"\b(?:amazon )?order (?:id|number|no)\b(?! item)|bestellnummer|订单号|注文番号"),
        (PiiType.EMAIL, r"e ?mail|courriel|correo|邮箱|电子邮件|メール"),
        (PiiType.CN_RESIDENT_ID, r"身份证|id card"),
        (PiiType.US_SSN, r"\bssn\b|social security"),
        (PiiType.IBAN, r"\biban\b"),
        (PiiType.PAYMENT_CARD, r"\b(?:credit |debit )?card (?:number|no)\b|\bpan\b|\bcc (?:number|no)\b"),
        (PiiType.DATE_OF_BIRTH, r"\bdob\b|birth|geburt|naissance|nacimiento|nascita|生日|出生|生年月日"),
        (PiiType.IP_ADDRESS, r"\bip\b|ip address|remote addr|client ip"),
        (PiiType.PHONE, r"phone|\btel\b|telephone|mobile|\bcell\b|telefon|téléphone|teléfono|telefono|handy|"
                        r"cellulare|móvil|movil|电话|手机|電話|携帯"),
        (PiiType.POSTAL_CODE, r"postal|\bzip\b|zip ?code|post ?code|\bplz\b|code postal|\bcp\b|\bcap\b|"
                              r"c[oó]digo postal|邮编|邮政编码|郵便番号"),
        (PiiType.STREET_ADDRESS, r"address|\baddr\b|street|straße|strasse|adresse|direcci[oó]n|indirizzo|"
                                 r"anschrift|地址|住所|番地"),
        (PiiType.PERSON_NAME, r"name|\bnom\b|nombre|\bnome\b|cognome|apellido|prénom|vorname|nachname|empfänger|"
                              r"destinataire|destinatario|recipient|姓名|收件人|收货人|联系人|氏名|名前|宛名|お名前"),
    )
)  # fmt: skip

# Columns that hold ids, money, counts or products: no verdict unless nearly every value is
# personal data anyway.
_NOT_PERSONAL = re.compile(
    r"\bsku\b|\basin\b|price|amount|total|\bqty\b|quantity|order item|item id|tracking|product|\bitem\b|"
    r"currency|\btax\b|fee|\bstatus\b|carrier|service level|\bcompany\b|\bstore\b|\bshop\b|\bbrand\b|"
    r"\bfile\b|\bcity\b|\bstate\b|\bcountry\b|\bregion\b|\bseller\b|marketplace|\bhash\b|\buuid\b|version"
)
# The header's type also needs a value that could be one: a "name" column of numbers is not.
_SHAPES: dict[PiiType, Callable[[str], bool]] = {
    PiiType.PERSON_NAME: lambda v: len(v) <= 80 and not any(c.isdigit() for c in v) and any(c.isalpha() for c in v),
    PiiType.POSTAL_CODE: lambda v: (
        3 <= len(v) <= 10 and any(c.isdigit() for c in v) and v.replace(" ", "").replace("-", "").isalnum()
    ),
    PiiType.STREET_ADDRESS: lambda v: len(v) >= 4 and any(c.isalpha() for c in v),
    PiiType.PHONE: lambda v: 7 <= sum(c.isdigit() for c in v) <= 15,
    PiiType.DATE_OF_BIRTH: lambda v: 6 <= len(v) <= 20 and sum(c.isdigit() for c in v) >= 4,
    PiiType.IP_ADDRESS: ip_valid,
}
_VALUE_SHARE = 0.5  # of the non-empty sampled values
_HEADER_SHARE = 0.6
_STRONG_SHARE = 0.8


def _normalised(header: str) -> str:
    return re.sub(r"[\s_\-./]+", " ", header.strip().lower())


def _header_type(header: str) -> PiiType | None:
    for kind, pattern in _HEADER_HINTS:
        if pattern.search(header):
            return kind
    return None


def _value_evidence(values: Sequence[str]) -> tuple[Counter[PiiType], dict[PiiType, str]]:
    """How many values are, nearly whole, one type, and the detector that said so."""
    counts: Counter[PiiType] = Counter()
    detectors: dict[PiiType, str] = {}
    for value in values:
        found = detect(value)
        if not found:
            continue
        best = max(found, key=lambda d: d.end - d.start)
        if (best.end - best.start) * 2 >= len(value):
            counts[best.type] += 1
            detectors.setdefault(best.type, best.detector)
    return counts, detectors


def classify_column(header: str, values: Sequence[str]) -> ColumnVerdict | None:
    """The type a column holds, judged from its header and a sample of its values; None if
    it holds no personal data."""
    sample = [value.strip() for value in values if value and value.strip()]
    header_text = _normalised(header)
    excluded = bool(_NOT_PERSONAL.search(header_text))
    hinted = None if excluded else _header_type(header_text)
    if not sample:
        return None
    counts, detectors = _value_evidence(sample)
    if counts:
        kind, hits = counts.most_common(1)[0]
        share = hits / len(sample)
        needed = _STRONG_SHARE if excluded else _VALUE_SHARE
        # A header naming the type lowers the bar: names and postal codes are often missed alone.
        if hinted is kind:
            needed = min(needed, 0.2)
        if share >= needed:
            confidence = round(min(0.99, 0.6 + 0.4 * share), 2)
            return ColumnVerdict(kind, detectors[kind], confidence, hits, len(sample))
    if hinted is None:
        return None
    shape = _SHAPES.get(hinted)
    fitting = sum(1 for value in sample if shape is None or shape(value))
    if fitting / len(sample) < _HEADER_SHARE:
        return None
    return ColumnVerdict(hinted, "column.header", round(0.5 + 0.3 * fitting / len(sample), 2), fitting, len(sample))
