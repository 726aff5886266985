"""What a table column's header says about its values, in the seller's languages: a prior
for column verdicts (columns.py) and for cells of delimited text (tables.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from tutela.core.detect.kinds import PiiType
from tutela.core.detect.validators import ip_valid

# Header words per type, in the seller's languages; matched against the lower-cased header
# with separators turned into spaces (so "ship-postal-code" reads "ship postal code").
HEADER_HINTS: tuple[tuple[PiiType, re.Pattern[str]], ...] = tuple(
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
NOT_PERSONAL = re.compile(
    r"\bsku\b|\basin\b|price|amount|total|\bqty\b|quantity|order item|item id|tracking|product|\bitem\b|"
    r"currency|\btax\b|fee|\bstatus\b|carrier|service level|\bcompany\b|\bstore\b|\bshop\b|\bbrand\b|"
    r"\bfile\b|\bcity\b|\bstate\b|\bcountry\b|\bregion\b|\bseller\b|marketplace|\bhash\b|\buuid\b|version|"
    # A schema's own vocabulary: "column_name", "table_name", "sheet_name" name no person.
    r"\bcolumn\b|\btable\b|\bsheet\b|\bfield\b|\bhost\b|\bdetector\b"
)
# The header's type also needs a value that could be one: a "name" column of numbers is not.
SHAPES: dict[PiiType, Callable[[str], bool]] = {
    PiiType.PERSON_NAME: lambda v: (
        len(v) <= 80 and not any(c.isdigit() or c in "_@/=" for c in v) and any(c.isalpha() for c in v)
    ),
    PiiType.POSTAL_CODE: lambda v: (
        3 <= len(v) <= 10 and any(c.isdigit() for c in v) and v.replace(" ", "").replace("-", "").isalnum()
    ),
    PiiType.STREET_ADDRESS: lambda v: len(v) >= 4 and any(c.isalpha() for c in v),
    PiiType.PHONE: lambda v: 7 <= sum(c.isdigit() for c in v) <= 15,
    PiiType.DATE_OF_BIRTH: lambda v: 6 <= len(v) <= 20 and sum(c.isdigit() for c in v) >= 4,
    PiiType.IP_ADDRESS: ip_valid,
}


def normalised(header: str) -> str:
    return re.sub(r"[\s_\-./]+", " ", header.strip().lower())


# Exports repeat their header rows file after file: each header is judged once.
@lru_cache(maxsize=4096)
def header_type(header: str) -> PiiType | None:
    """The type a header names (given `normalised`), or None; ids, money and product columns
    name none even when they contain a hint word ("order-item-id", "product-name")."""
    if NOT_PERSONAL.search(header):
        return None
    for kind, pattern in HEADER_HINTS:
        if pattern.search(header):
            return kind
    return None
