"""The readable summary of an access package (`summary.html`, GDPR Art. 15, CCPA right to know):
in plain words which data the shop holds, why, on which legal basis, from where, who receives
it, how long it is kept, and how to complain to a supervisory authority.

A self-contained printable page (inline CSS, no scripts, no external resources) in English or
Simplified Chinese; every value is escaped (autoescape). Explanations computed by the shop
(the basis of a due time, a consent decision's reason) and the shop's own policy texts are
shown as written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from tutela.adapters.documents.certificate import _label as category_label

# The certificate's category labels (English from core.taxonomy, Simplified Chinese beside it).
from tutela.adapters.documents.templating import environment
from tutela.core.request_clock import GDPR_COUNTRIES
from tutela.services.subject_access import HeldField, PurposeFacts, SubjectData

DEFAULT_LANGUAGE = "en"

_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "html_lang": "en",
        "title": "Your personal data at {shop}",
        "intro": (
            "This is everything {shop} holds about you, as of {when}. The files data.json and data.csv in the same "
            "package hold the same data in machine-readable form (you may take it to another service). All times "
            "are UTC."
        ),
        "customer": "Customer number",
        "request": "Request",
        "generated": "Prepared at",
        "contact": "Privacy contact",
        "held_heading": "The data we hold",
        "category": "Data",
        "value": "Value",
        "purpose": "Purpose",
        "source": "From",
        "stored": "Stored",
        "kept_until": "Kept until",
        "waiting": "not yet fixed",
        "flagged": "failed our validation when stored: tell us if it is wrong",
        "no_fields": "We hold no personal fields about you.",
        "purposes_heading": "Why we hold it, on which legal basis, who receives it, how long we keep it",
        "legal_basis": "Legal basis",
        "retention": "How long",
        "amazon_retention": "Data from Amazon: at the latest",
        "recipients": "Shared with",
        "no_recipients": "nobody outside the shop is named for this purpose",
        "categories": "Data",
        "sources_heading": "Where the data came from",
        "amazon_heading": "Data from Amazon",
        "hold": "A legal obligation (a legal hold) requires us to keep your data beyond these dates, until {until}.",
        "orders_heading": "Your orders",
        "order": "Order",
        "channel": "Channel",
        "status": "Status",
        "purchased": "Purchased",
        "shipped": "Shipped",
        "delivered": "Delivered",
        "total": "Total",
        "order_items": "Items",
        "returns_heading": "Your returns",
        "reference": "Reference",
        "requested": "Requested",
        "reason": "Reason",
        "resolution": "Resolution",
        "closed": "Closed",
        "consent_heading": "Your consent",
        "consent_current": "Now",
        "channel_col": "Channel",
        "state": "State",
        "may_contact": "May we contact you",
        "yes": "yes",
        "no": "no",
        "consent_history": "History",
        "when": "When",
        "event": "Event",
        "notice": "Notice version",
        "no_consent": "You have not given or withdrawn any consent.",
        "opt_out": "You opted out of the sale or sharing of your personal information on {at}.",
        "restricted": "At your request, processing of your data is restricted since {at} (GDPR Art. 18).",
        "rights_heading": "Your rights",
        "rights": (
            "You may ask us to correct data that is wrong, to delete it (where the law does not require us to "
            "keep it), to restrict its use, to object to its use for marketing, and to withdraw any consent at any "
            "time. Write to {contact}."
        ),
        "complain_heading": "How to complain",
        "gdpr": (
            "You have the right to lodge a complaint with a data protection supervisory authority (GDPR Art. 77), "
            "in particular in the country where you live or work, or where the shop is established ({country}). "
            "The European Data Protection Board lists every authority of the EU and EEA: "
            "edpb.europa.eu/about-edpb/about-edpb/members_en."
        ),
        "authorities": "Some supervisory authorities",
        "country": "Country",
        "authority": "Authority",
        "website": "Website",
        "shop_country": "the shop's country",
        "de_note": "for most businesses: the data protection authority of the federal state (Land) where it is based",
        "ccpa": (
            "California residents may complain to the California Privacy Protection Agency (CPPA), cppa.ca.gov, "
            "or to the California Attorney General, oag.ca.gov/privacy."
        ),
        "other": (
            "If you think we have not handled your data lawfully, please write to us first at {contact}. You may "
            "also complain to the data protection or consumer protection authority where you live."
        ),
        "footer": (
            "Prepared by {shop} with Tutela. Times are UTC. The shop's own texts and the explanations of due "
            "dates and consent states are shown as written."
        ),
        "none": "—",
    },
    "zh": {
        "html_lang": "zh-Hans",
        "title": "您在 {shop} 的个人数据",
        "intro": (
            "以下是截至 {when}，{shop} 持有的关于您的全部数据。同一数据包中的 data.json 和 data.csv "
            "以机器可读的格式包含相同的数据（您可以将其转移到其他服务）。所有时间均为 UTC。"
        ),
        "customer": "客户编号",
        "request": "请求编号",
        "generated": "生成时间",
        "contact": "隐私联系方式",
        "held_heading": "我们持有的数据",
        "category": "数据",
        "value": "内容",
        "purpose": "目的",
        "source": "来源",
        "stored": "存储时间",
        "kept_until": "保存至",
        "waiting": "尚未确定",
        "flagged": "存储时未通过我们的校验：如有错误请告知我们",
        "no_fields": "我们未持有关于您的个人字段。",
        "purposes_heading": "我们持有数据的目的、法律依据、接收方及保存期限",
        "legal_basis": "法律依据",
        "retention": "保存期限",
        "amazon_retention": "来自亚马逊的数据：最迟",
        "recipients": "共享对象",
        "no_recipients": "此目的未指明店铺以外的接收方",
        "categories": "数据",
        "sources_heading": "数据来源",
        "amazon_heading": "来自亚马逊的数据",
        "hold": "由于法律义务（法律保全），我们须将您的数据保留至 {until}，晚于上述日期。",
        "orders_heading": "您的订单",
        "order": "订单",
        "channel": "渠道",
        "status": "状态",
        "purchased": "购买时间",
        "shipped": "发货时间",
        "delivered": "送达时间",
        "total": "金额",
        "order_items": "商品",
        "returns_heading": "您的退货",
        "reference": "退货编号",
        "requested": "申请时间",
        "reason": "原因",
        "resolution": "处理方式",
        "closed": "结案时间",
        "consent_heading": "您的同意",
        "consent_current": "当前状态",
        "channel_col": "方式",
        "state": "状态",
        "may_contact": "我们是否可以联系您",
        "yes": "是",
        "no": "否",
        "consent_history": "历史记录",
        "when": "时间",
        "event": "事件",
        "notice": "告知版本",
        "no_consent": "您未曾给予或撤回任何同意。",
        "opt_out": "您已于 {at} 选择不允许出售或共享您的个人信息。",
        "restricted": "应您的要求，自 {at} 起对您数据的处理受到限制（GDPR 第 18 条）。",
        "rights_heading": "您的权利",
        "rights": (
            "您可以要求我们更正错误的数据、删除数据（法律要求我们保留的除外）、限制其使用、反对将其用于营销，"
            "并可随时撤回任何同意。请写信至 {contact}。"
        ),
        "complain_heading": "如何投诉",
        "gdpr": (
            "您有权向数据保护监管机构投诉（GDPR 第 77 条），尤其是您居住地或工作地所在国家的监管机构，"
            "或本店所在国家（{country}）的监管机构。欧洲数据保护委员会列出了欧盟及欧洲经济区的所有监管机构："
            "edpb.europa.eu/about-edpb/about-edpb/members_en。"
        ),
        "authorities": "部分监管机构",
        "country": "国家/地区",
        "authority": "监管机构",
        "website": "网站",
        "shop_country": "本店所在国家",
        "de_note": "对大多数企业而言：其所在联邦州的数据保护机构",
        "ccpa": "加利福尼亚州居民可以向加州隐私保护局（CPPA，cppa.ca.gov）或加州总检察长（oag.ca.gov/privacy）投诉。",
        "other": (
            "如果您认为我们未依法处理您的数据，请先写信至 {contact} 与我们联系。"
            "您也可以向您所在地的数据保护或消费者保护机构投诉。"
        ),
        "footer": (
            "由 {shop} 使用 Tutela 生成。所有时间均为 UTC。"
            "店铺自己的文字以及保存期限和同意状态的说明按原文（英文）显示。"
        ),
        "none": "—",
    },
}

_LEGAL_BASIS: dict[str, dict[str, str]] = {
    "en": {
        "contract": "Contract: needed to carry out our contract with you (GDPR Art. 6(1)(b))",
        "legal_obligation": "Legal obligation: the law requires us to keep it (GDPR Art. 6(1)(c))",
        "consent": "Consent: you agreed, and you may withdraw at any time (GDPR Art. 6(1)(a))",
        "legitimate_interest": "Legitimate interest: you may object (GDPR Art. 6(1)(f))",
        "": "No longer a purpose of ours: the data is deleted now",
    },
    "zh": {
        "contract": "合同：为履行与您的合同所必需（GDPR 第 6(1)(b) 条）",
        "legal_obligation": "法定义务：法律要求我们保存（GDPR 第 6(1)(c) 条）",
        "consent": "同意：您已同意，并可随时撤回（GDPR 第 6(1)(a) 条）",
        "legitimate_interest": "正当利益：您可以提出异议（GDPR 第 6(1)(f) 条）",
        "": "已不再是我们的目的：数据即将删除",
    },
}

_SOURCES: dict[str, dict[str, str]] = {
    "en": {
        "amazon": "Amazon: orders you placed on Amazon",
        "shopify": "Our Shopify shop",
        "own_shop": "Our own shop or website",
        "manual": "Entered by our staff, e.g. while handling your request or return",
    },
    "zh": {
        "amazon": "亚马逊：您在亚马逊上下的订单",
        "shopify": "我们的 Shopify 店铺",
        "own_shop": "我们自己的店铺或网站",
        "manual": "由我们的员工录入，例如处理您的请求或退货时",
    },
}

_AMAZON_NOTE: dict[str, str] = {
    "zh": (
        "部分数据来自您在亚马逊上下的订单。本店只能将其用于完成这些订单，最迟于 {cap} 删除"
        "（法律要求保留的数据除外，例如税务记录），且绝不用于营销。亚马逊作为独立的公司持有其自己的关于您的数据："
        "如需副本，请向亚马逊索取。"
    ),
}

_EVENTS: dict[str, dict[str, str]] = {
    "en": {
        "collected": "we received it", "purchased": "your purchase", "shipped": "shipping", "delivered": "delivery",
        "return_opened": "the return was opened", "return_closed": "the return is closed",
        "ticket_closed": "your support request is closed", "consent_withdrawn": "you withdraw your consent",
        "last_activity": "your last order or return", "invoiced": "the invoice",
    },
    "zh": {
        "collected": "我们收到数据", "purchased": "您购买", "shipped": "发货", "delivered": "送达",
        "return_opened": "退货申请", "return_closed": "退货结案", "ticket_closed": "您的客服请求结束",
        "consent_withdrawn": "您撤回同意", "last_activity": "您最近一次订单或退货", "invoiced": "开具发票",
    },
}  # fmt: skip
_UNITS = {
    "en": {"days": "days", "months": "months", "years": "years"},
    "zh": {"days": "天", "months": "个月", "years": "年"},
}
_RULE = re.compile(r"^(?:(?P<amount>\d+) (?P<unit>days|months|years) after|until) (?P<event>[a-z_]+)$")

_CONSENT_KINDS = {"zh": {"granted": "已同意", "withdrawn": "已撤回", "expired": "已过期", "none": "无"}}
_CHANNELS = {"zh": {"email": "电子邮件", "sms": "短信", "phone": "电话", "post": "邮寄"}}

# A few supervisory authorities (GDPR Art. 51): the shop's own country is listed first.
AUTHORITIES: tuple[tuple[str, str, str], ...] = (
    ("DE", "Der Bundesbeauftragte für den Datenschutz und die Informationsfreiheit (BfDI)", "www.bfdi.bund.de"),
    ("AT", "Österreichische Datenschutzbehörde (DSB)", "www.dsb.gv.at"),
    ("FR", "Commission nationale de l'informatique et des libertés (CNIL)", "www.cnil.fr"),
    ("IT", "Garante per la protezione dei dati personali", "www.garanteprivacy.it"),
    ("ES", "Agencia Española de Protección de Datos (AEPD)", "www.aepd.es"),
    ("NL", "Autoriteit Persoonsgegevens (AP)", "www.autoriteitpersoonsgegevens.nl"),
    ("IE", "Data Protection Commission (DPC)", "www.dataprotection.ie"),
    ("GB", "Information Commissioner's Office (ICO)", "ico.org.uk"),
)  # fmt: skip


@dataclass(frozen=True)
class _FieldRow:
    label: str
    code: str
    value: str
    purpose: str
    source: str
    stored: str
    kept_until: str
    basis: str
    flagged: bool


@dataclass(frozen=True)
class _PurposeBlock:
    key: str
    description: str
    legal_basis: str
    retention: str
    retention_rule: str
    amazon_retention: str | None
    recipients: list[str]
    categories: list[str]


@dataclass(frozen=True)
class _Authority:
    country: str
    name: str
    note: str
    website: str
    shop_country: bool


def summary_html(data: SubjectData, language: str = DEFAULT_LANGUAGE) -> str:
    """summary.html of the package: `language` "en" or "zh" (any other falls back to English)."""
    language = language if language in _TEXT else DEFAULT_LANGUAGE
    t = _TEXT[language]
    shop = data.shop
    gdpr = data.jurisdiction == "gdpr" or shop.country in GDPR_COUNTRIES
    ccpa = data.jurisdiction == "ccpa"
    return (
        environment()
        .get_template("subject_summary.html")
        .render(
            t=t,
            data=data,
            title=t["title"].format(shop=shop.name),
            intro=t["intro"].format(shop=shop.name, when=_when(data.generated_at)),
            generated=_when(data.generated_at),
            fields=[_field_row(f, language) for f in data.fields],
            purposes=[_purpose_block(p, language) for p in data.purposes],
            sources=[_SOURCES[language].get(s, s) for s in data.sources],
            amazon_note=_amazon_note(data, language),
            holds=[t["hold"].format(until=_day(h.until)) for h in data.holds],
            orders=data.orders,
            returns=data.returns,
            consent_current=data.consent_current,
            consent_events=data.consent_events,
            kind=lambda k: _CONSENT_KINDS.get(language, {}).get(k, k),
            channel=lambda c: _CHANNELS.get(language, {}).get(c, c),
            when=_when,
            day=_day,
            opt_out=_optional(t["opt_out"], data.sale_share_opt_out_at),
            restricted=_optional(t["restricted"], data.processing_restricted_since),
            rights=t["rights"].format(contact=shop.privacy_contact),
            gdpr=t["gdpr"].format(country=shop.country) if gdpr else None,
            authorities=_authorities(shop.country, t) if gdpr else [],
            ccpa=t["ccpa"] if ccpa else None,
            other=t["other"].format(contact=shop.privacy_contact) if not (gdpr or ccpa) else None,
            footer=t["footer"].format(shop=shop.name),
        )
    )


def _optional(text: str, at: datetime | None) -> str | None:
    return text.format(at=_day(at)) if at else None


def _field_row(held: HeldField, language: str) -> _FieldRow:
    t = _TEXT[language]
    return _FieldRow(
        label=category_label(held.category, language), code=held.category, value=held.value, purpose=held.purpose,
        source=_SOURCES[language].get(held.source, held.source), stored=_day(held.stored_at),
        kept_until=_day(held.due_at) if held.due_at else t["waiting"], basis=held.due_basis, flagged=held.flagged,
    )  # fmt: skip


def _purpose_block(purpose: PurposeFacts, language: str) -> _PurposeBlock:
    bases = _LEGAL_BASIS[language]
    return _PurposeBlock(
        key=purpose.key, description=purpose.description,
        legal_basis=bases.get(purpose.legal_basis or "", purpose.legal_basis or bases[""]),
        retention=_rule_words(purpose.retention, language), retention_rule=purpose.retention,
        amazon_retention=_rule_words(purpose.amazon_retention, language) if purpose.amazon_retention else None,
        recipients=list(purpose.recipients), categories=[category_label(c, language) for c in purpose.categories],
    )  # fmt: skip


def _rule_words(rule: str, language: str) -> str:
    """A retention rule ("30 days after delivered") in words; as written when it does not parse."""
    found = _RULE.match(rule)
    if found is None:
        return rule
    event = _EVENTS[language].get(found["event"], found["event"])
    if found["amount"] is None:
        return f"直到{event}" if language == "zh" else f"until {event}"
    unit = _UNITS[language][found["unit"]]
    return f"{event}后 {found['amount']} {unit}" if language == "zh" else f"{found['amount']} {unit} after {event}"


def _amazon_note(data: SubjectData, language: str) -> str | None:
    if data.amazon_note is None:
        return None
    template = _AMAZON_NOTE.get(language)
    if template is None:
        return data.amazon_note
    cap = next((p.amazon_retention for p in data.purposes if p.amazon_retention), "30 days after delivered")
    return template.format(cap=_rule_words(cap, language))


def _authorities(shop_country: str, t: dict[str, str]) -> list[_Authority]:
    rows = [
        _Authority(code, name, t["de_note"] if code == "DE" else "", site, code == shop_country)
        for code, name, site in AUTHORITIES
    ]
    return sorted(rows, key=lambda a: not a.shop_country)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _when(moment: datetime | None) -> str:
    return _utc(moment).strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def _day(moment: datetime | None) -> str:
    return _utc(moment).strftime("%Y-%m-%d") if moment else "—"
