"""The destruction certificate (Amazon DPP §1.7: "certify destruction in writing") as a
printable HTML page and as a PDF, rendered from `DestructionCertificate` facts alone.

Both renderers read one `_Sheet` (labels and formatted values), so the HTML and the PDF say
the same thing. A certificate is only issued when no Amazon-sourced personal field remains:
otherwise both raise ValueError. The facts hold no personal data, so neither does the document.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from fpdf import FPDF

from tutela.adapters.documents.templating import environment
from tutela.core.destruction import METHOD, DestructionCertificate
from tutela.core.taxonomy import CATEGORIES

DEFAULT_LANGUAGE = "en"

# The few strings of a certificate. A language not listed here falls back to English, so a
# console that gains a third language still hands out a (English) certificate.
_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "html_lang": "en",
        "title": "Certificate of destruction — Amazon information (DPP §1.7)",
        "shop": "Shop",
        "country": "Country",
        "revocation": "Revocation",
        "requested_at": "Requested at",
        "deadline_at": "Deadline",
        "completed_at": "Completed at",
        "requested_by": "Requested by",
        "method": "Method",
        "by_category": "Fields deleted by category",
        "category": "Category",
        "code": "Code",
        "count": "Fields deleted",
        "total": "Total",
        "totals": "Totals",
        "fields_total": "Fields deleted",
        "records": "Records deleted",
        "shredded": "Customers shredded (data key destroyed)",
        "remaining": "Customers remaining with non-Amazon data",
        "amazon_remaining": "Amazon-sourced personal fields remaining",
        "audit": "Audit evidence",
        "head": "Audit chain head",
        "receipts": "Receipt events",
        "none": "none",
        "no_fields": "No fields were held.",
        "statement_heading": "Statement",
        "statement": (
            "{shop} certifies that all Amazon information covered by revocation {revocation} was "
            "destroyed by the method described above, completed at {completed}, and that no "
            "Amazon-sourced personal field remains in its Tutela store."
        ),
        "signature": "Signature",
        "signatory": "Name and role",
        "date": "Date",
        "footer": "All times are UTC. This certificate holds no personal data.",
    },
    "zh": {
        "html_lang": "zh-Hans",
        "title": "销毁证明 — 亚马逊信息（DPP §1.7）",
        "shop": "店铺",
        "country": "国家/地区",
        "revocation": "撤销编号",
        "requested_at": "申请时间",
        "deadline_at": "截止时间",
        "completed_at": "完成时间",
        "requested_by": "申请人",
        "method": "销毁方法",
        "by_category": "按类别删除的字段",
        "category": "类别",
        "code": "代码",
        "count": "已删除字段数",
        "total": "合计",
        "totals": "总计",
        "fields_total": "已删除字段",
        "records": "已删除记录",
        "shredded": "已粉碎的客户（数据密钥已销毁）",
        "remaining": "仍保留非亚马逊数据的客户",
        "amazon_remaining": "剩余的亚马逊来源个人字段",
        "audit": "审计证据",
        "head": "审计链头",
        "receipts": "回执事件编号",
        "none": "无",
        "no_fields": "未持有任何字段。",
        "statement_heading": "声明",
        "statement": (
            "{shop} 特此证明：撤销编号 {revocation} 所涉及的全部亚马逊信息已按上述方法销毁，"
            "完成时间为 {completed}；其 Tutela 存储中不再保留任何亚马逊来源的个人字段。"
        ),
        "signature": "签名",
        "signatory": "姓名及职务",
        "date": "日期",
        "footer": "所有时间均为 UTC。本证明不包含任何个人数据。",
    },
}

# The standard method (core.destruction.METHOD) in the other languages; any other method text
# is shown as written.
_METHOD: dict[str, str] = {
    "zh": (
        "加密擦除（NIST SP 800-88 Rev. 1，密码擦除）：每个字段均在每位客户专属的数据密钥下以 "
        "AES-256-GCM 加密；已删除字段的密文已被移除，对于不再保留任何字段的客户，其数据密钥本身也已销毁。"
    ),
}

# Category labels beyond English (English comes from core.taxonomy); a code not listed is shown as is.
_CATEGORY_LABELS: dict[str, dict[str, str]] = {
    "zh": {
        "user.name": "姓名",
        "user.contact.email": "电子邮件地址",
        "user.contact.phone_number": "电话号码",
        "user.contact.address.street": "街道地址",
        "user.contact.address.city": "城市",
        "user.contact.address.state": "州/地区",
        "user.contact.address.postal_code": "邮政编码",
        "user.contact.address.country": "国家/地区",
        "user.behavior.purchase_history": "购买记录",
        "user.unique_id": "客户标识符",
        "user.financial.tax_id": "税号",
        "user.content.free_text": "自由文本留言",
    },
}


@dataclass(frozen=True)
class _Row:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class _Sheet:
    """Everything a certificate shows, labelled and formatted for one language."""

    text: dict[str, str]
    shop_name: str
    shop_country: str
    revocation_id: int
    requested_at: str
    deadline_at: str
    completed_at: str
    requested_by: str
    method: str
    rows: list[_Row]
    fields_total: int
    records_deleted: int
    customers_shredded: int
    customers_remaining: int
    amazon_fields_remaining: int
    audit_head_seq: int
    audit_head_hash: str
    receipts: str
    statement: str


def certificate_html(cert: DestructionCertificate, *, language: str = DEFAULT_LANGUAGE) -> str:
    """A self-contained printable HTML page (inline CSS, no scripts, no external resources).
    `language` is "en" or "zh"; any other falls back to English. Raises ValueError when an
    Amazon-sourced personal field remains."""
    sheet = _sheet(cert, language)
    return environment().get_template("certificate.html").render(sheet=sheet, t=sheet.text)


def certificate_pdf(cert: DestructionCertificate) -> bytes:
    """The same certificate as a PDF (English, core fonts). Identical facts give identical
    bytes: the creation date is the completion time. Characters the core fonts cannot show
    (e.g. a shop name in Chinese) are replaced, never fatal. Raises ValueError when an
    Amazon-sourced personal field remains."""
    return _Pdf(_sheet(cert, DEFAULT_LANGUAGE), completed_at=_utc(cert.completed_at)).render()


# --- the facts, labelled ---------------------------------------------------------------------


def _sheet(cert: DestructionCertificate, language: str) -> _Sheet:
    if cert.amazon_fields_remaining != 0:
        raise ValueError(
            f"no certificate of destruction while {cert.amazon_fields_remaining} Amazon-sourced "
            "personal field(s) remain: finish the deletion first"
        )
    language = language if language in _TEXT else DEFAULT_LANGUAGE
    text = _TEXT[language]
    completed = _when(cert.completed_at)
    method = _METHOD.get(language, cert.method) if cert.method == METHOD else cert.method
    return _Sheet(
        text=text,
        shop_name=cert.shop_name,
        shop_country=cert.shop_country,
        revocation_id=cert.revocation_id,
        requested_at=_when(cert.requested_at),
        deadline_at=_when(cert.deadline_at),
        completed_at=completed,
        requested_by=cert.requested_by,
        method=method,
        rows=_rows(cert.fields_deleted, language),
        fields_total=cert.fields_total,
        records_deleted=cert.records_deleted,
        customers_shredded=cert.customers_shredded,
        customers_remaining=cert.customers_remaining,
        amazon_fields_remaining=cert.amazon_fields_remaining,
        audit_head_seq=cert.audit_head_seq,
        audit_head_hash=cert.audit_head_hash,
        receipts=", ".join(f"#{seq}" for seq in cert.receipts) or text["none"],
        statement=text["statement"].format(
            shop=cert.shop_name, revocation=f"#{cert.revocation_id}", completed=completed
        ),
    )


def _rows(fields_deleted: dict[str, int], language: str) -> list[_Row]:
    """Known categories in taxonomy order, then any other code alphabetically."""
    order = {key: position for position, key in enumerate(CATEGORIES)}
    codes = sorted(fields_deleted, key=lambda code: (order.get(code, len(order)), code))
    return [_Row(code, _label(code, language), fields_deleted[code]) for code in codes]


def _label(code: str, language: str) -> str:
    translated = _CATEGORY_LABELS.get(language, {}).get(code)
    if translated:
        return translated
    known = CATEGORIES.get(code)
    return known.label if known else code


def _utc(moment: datetime) -> datetime:
    """Facts are stored timezone-aware; a naive time is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _when(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%d %H:%M UTC")


# --- HTML ------------------------------------------------------------------------------------


# --- PDF -------------------------------------------------------------------------------------

_PDF_ENCODING = "cp1252"  # what fpdf2 declares for core fonts (WinAnsiEncoding): has — and §
_FONT = "Helvetica"
_LABEL_WIDTH = 82.0  # mm
_LINE = 6.0  # mm


def _pdf_text(text: str) -> str:
    """`text` in what the core fonts can show: accents the encoding lacks are dropped
    (ő -> o), anything else (e.g. Chinese) becomes "?"."""
    shown: list[str] = []
    for char in text:
        if _encodable(char):
            shown.append(char)
            continue
        base = "".join(part for part in unicodedata.normalize("NFKD", char) if _encodable(part))
        shown.append(base or "?")
    return "".join(shown)


def _encodable(char: str) -> bool:
    try:
        char.encode(_PDF_ENCODING)
    except UnicodeEncodeError:
        return False
    return True


class _Pdf:
    def __init__(self, sheet: _Sheet, *, completed_at: datetime) -> None:
        self.sheet = sheet
        self.t = sheet.text
        pdf = FPDF(orientation="portrait", unit="mm", format="A4")
        pdf.core_fonts_encoding = _PDF_ENCODING
        pdf.set_margins(20, 18, 20)
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.set_title(self.t["title"])
        pdf.set_subject(f"{self.t['revocation']} #{sheet.revocation_id}")
        pdf.set_author(sheet.shop_name)  # metadata is UTF-16: any script
        pdf.set_creator("Tutela")
        pdf.set_producer("Tutela")
        pdf.set_lang("en")
        pdf.set_creation_date(completed_at)
        self.pdf = pdf

    def render(self) -> bytes:
        s, t, pdf = self.sheet, self.t, self.pdf
        pdf.add_page()
        pdf.set_font(_FONT, style="B", size=15)
        pdf.multi_cell(0, 8, _pdf_text(t["title"]), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

        self._pairs(
            [
                (t["shop"], s.shop_name),
                (t["country"], s.shop_country),
                (t["revocation"], f"#{s.revocation_id}"),
                (t["requested_at"], s.requested_at),
                (t["deadline_at"], s.deadline_at),
                (t["completed_at"], s.completed_at),
                (t["requested_by"], s.requested_by),
            ]
        )
        self._heading(t["method"])
        self._paragraph(s.method)

        self._heading(t["by_category"])
        self._categories()

        self._heading(t["totals"])
        self._pairs(
            [
                (t["fields_total"], str(s.fields_total)),
                (t["records"], str(s.records_deleted)),
                (t["shredded"], str(s.customers_shredded)),
                (t["remaining"], str(s.customers_remaining)),
                (t["amazon_remaining"], str(s.amazon_fields_remaining)),
            ],
            bold_values=True,
        )

        self._heading(t["audit"])
        self._pairs([(t["head"], f"#{s.audit_head_seq}")])
        pdf.set_font("Courier", size=9)  # 64 hex digits fit one full-width line, not a value column
        pdf.multi_cell(0, _LINE, _pdf_text(s.audit_head_hash), new_x="LMARGIN", new_y="NEXT")
        self._pairs([(t["receipts"], s.receipts)])

        self._heading(t["statement_heading"])
        self._paragraph(s.statement)
        pdf.ln(12)
        self._signature_line()

        pdf.ln(8)
        pdf.set_font(_FONT, style="I", size=8)
        pdf.multi_cell(0, 4, _pdf_text(t["footer"]), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())

    def _heading(self, text: str) -> None:
        self.pdf.ln(4)
        self.pdf.set_font(_FONT, style="B", size=11)
        self.pdf.cell(0, 7, _pdf_text(text), new_x="LMARGIN", new_y="NEXT")

    def _paragraph(self, text: str) -> None:
        self.pdf.set_font(_FONT, size=10)
        self.pdf.multi_cell(0, 5, _pdf_text(text), new_x="LMARGIN", new_y="NEXT")

    def _pairs(self, pairs: list[tuple[str, str]], *, bold_values: bool = False) -> None:
        pdf = self.pdf
        for label, value in pairs:
            pdf.set_font(_FONT, style="B", size=10)
            pdf.cell(_LABEL_WIDTH, _LINE, _pdf_text(label))
            pdf.set_font(_FONT, style="B" if bold_values else "", size=10)
            pdf.multi_cell(0, _LINE, _pdf_text(value), new_x="LMARGIN", new_y="NEXT")

    def _categories(self) -> None:
        s, t, pdf = self.sheet, self.t, self.pdf
        if not s.rows:
            self._paragraph(t["no_fields"])
            return
        widths = (62.0, 75.0, 33.0)
        pdf.set_font(_FONT, style="B", size=10)
        for width, heading, align in zip(widths, (t["category"], t["code"], t["count"]), "LLR", strict=True):
            pdf.cell(width, 7, _pdf_text(heading), border=1, align=align)
        pdf.ln()
        pdf.set_font(_FONT, size=10)
        for row in s.rows:
            for width, value, align in zip(widths, (row.label, row.code, str(row.count)), "LLR", strict=True):
                pdf.cell(width, _LINE, _pdf_text(value), border=1, align=align)
            pdf.ln()
        pdf.set_font(_FONT, style="B", size=10)
        pdf.cell(widths[0] + widths[1], _LINE, _pdf_text(t["total"]), border=1)
        pdf.cell(widths[2], _LINE, str(s.fields_total), border=1, align="R")
        pdf.ln()

    def _signature_line(self) -> None:
        pdf, t = self.pdf, self.t
        pdf.set_font(_FONT, size=10)
        y = pdf.get_y()
        for x, width, label in ((20.0, 70.0, t["signature"]), (98.0, 50.0, t["signatory"]), (156.0, 34.0, t["date"])):
            pdf.line(x, y, x + width, y)
            pdf.set_xy(x, y + 1)
            pdf.cell(width, 5, _pdf_text(label))
        pdf.set_xy(20, y + 7)
