"""The letters a data-subject request sends: the verification code (which also acknowledges
receipt, as CCPA Regs §7021 asks), an extension notice, and the reply per type and outcome —
in the requester's language where we have it (English, Simplified Chinese)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tutela.core.policy import Policy


@dataclass(frozen=True)
class Letter:
    subject: str
    text: str


_CODE = {
    "en": ("Your privacy request {id}: confirmation code",
           "We received your {kind} request (number {id}) on {received}.\n\n"
           "To confirm that the request comes from you, enter this code: {code}\n"
           "It is valid for 24 hours. We answer by {due}.\n\n"
           "If you did not make this request, ignore this message.\n\n{shop}, {contact}"),
    "zh": ("您的隐私请求 {id}：确认码",
           "我们已于 {received} 收到您的{kind}请求（编号 {id}）。\n\n"
           "为确认请求由您本人提出，请输入确认码：{code}\n"
           "确认码 24 小时内有效。我们将于 {due} 前答复。\n\n"
           "如果这不是您提出的请求，请忽略本邮件。\n\n{shop}，{contact}"),
}  # fmt: skip

_EXTENDED = {
    "en": ("Your privacy request {id}: more time needed",
           "We need more time to answer your request {id}: {reason}.\nWe will answer by {due}.\n\n{shop}, {contact}"),
    "zh": ("您的隐私请求 {id}：需要更多时间",
           "我们需要更多时间答复您的请求 {id}：{reason}。\n我们将于 {due} 前答复。\n\n{shop}，{contact}"),
}  # fmt: skip

_KINDS = {
    "en": {"access": "access", "portability": "data portability", "erasure": "erasure", "rectification":
           "correction", "restriction": "restriction", "objection": "objection to marketing", "opt_out":
           "opt-out of sale or sharing"},
    "zh": {"access": "访问", "portability": "数据可携", "erasure": "删除", "rectification": "更正",
           "restriction": "限制处理", "objection": "反对营销", "opt_out": "拒绝出售或共享"},
}  # fmt: skip

_OUTCOMES = {
    "en": {
        "no_data": "We searched our records and hold no personal data about you.",
        "package_ready": "Your data is ready. Download it once, within 7 days, from:\n{link}\n"
                         "The file holds data.json (machine-readable), data.csv and summary.html, which explains "
                         "which data we hold, why, on which legal basis, from where, who receives it and for how long.",
        "erased": "We have deleted your personal data and withdrawn every marketing consent. "
                  "You will not be added to our marketing again.",
        "erased_except_tax": "We have deleted your personal data, except what tax law requires us to keep "
                             "({kept}); it is restricted — used for nothing else — and deleted by {until}.",
        "restricted_under_hold": "Your data is subject to a legal hold until {until}; until then it is "
                                 "restricted (used for nothing else), and deleted when the hold ends.",
        "corrected": "We have corrected: {categories}.",
        "restricted": "We have restricted your data: it is kept but used for nothing except legal claims.",
        "marketing_stopped": "We will no longer use your data for direct marketing.",
        "opted_out": "We have recorded your opt-out of the sale or sharing of your personal data.",
        "denied": "We cannot fulfil your request: {reason}.",
        "complain": "If you disagree, you may complain to a data protection supervisory authority.",
    },
    "zh": {
        "no_data": "我们查询了记录，没有持有您的任何个人数据。",
        "package_ready": "您的数据已准备好。请在 7 天内通过以下链接下载（仅限一次）：\n{link}\n"
                         "文件包含 data.json（机器可读）、data.csv 和 summary.html，"
                         "说明我们持有哪些数据、用途、法律依据、来源、接收方及保存期限。",
        "erased": "我们已删除您的个人数据，并撤回所有营销同意。我们不会再将您加入营销名单。",
        "erased_except_tax": "我们已删除您的个人数据，但税法要求保留的数据（{kept}）除外；"
                             "这些数据已被限制处理，不作他用，并将于 {until} 前删除。",
        "restricted_under_hold": "您的数据在 {until} 前受法律保全约束；"
                                 "在此之前数据被限制处理，不作他用，保全结束后删除。",
        "corrected": "我们已更正：{categories}。",
        "restricted": "我们已限制处理您的数据：数据被保留，但除法律主张外不作任何用途。",
        "marketing_stopped": "我们将不再把您的数据用于直接营销。",
        "opted_out": "我们已记录您拒绝出售或共享个人数据的请求。",
        "denied": "我们无法完成您的请求：{reason}。",
        "complain": "如有异议，您可以向数据保护监管机构投诉。",
    },
}  # fmt: skip

_REPLY_SUBJECT = {"en": "Your privacy request {id}: our answer", "zh": "您的隐私请求 {id}：答复"}


def _language(language: str) -> str:
    return language if language in _CODE else "en"


def _signature(policy: Policy) -> dict[str, str]:
    return {"shop": policy.shop.name, "contact": policy.shop.privacy_contact}


def code_letter(policy: Policy, request: dict[str, Any], code: str) -> Letter:
    lang = _language(request["language"])
    subject, body = _CODE[lang]
    values = {"id": request["id"], "kind": _KINDS[lang][request["kind"]], "code": code,
              "received": f"{request['received_at']:%Y-%m-%d}", "due": f"{request['due_at']:%Y-%m-%d}",
              **_signature(policy)}  # fmt: skip
    return Letter(subject.format(**values), body.format(**values))


def extension_letter(policy: Policy, request: dict[str, Any], reason: str) -> Letter:
    lang = _language(request["language"])
    subject, body = _EXTENDED[lang]
    values = {"id": request["id"], "reason": reason, "due": f"{request['due_at']:%Y-%m-%d}", **_signature(policy)}
    return Letter(subject.format(**values), body.format(**values))


def reply_letter(policy: Policy, request: dict[str, Any], outcome: str, facts: dict[str, Any],
                 link: str | None = None) -> Letter:  # fmt: skip
    lang = _language(request["language"])
    texts = _OUTCOMES[lang]
    values = {
        "link": link or "", "reason": request.get("outcome") or "", "until": (facts.get("until") or
        facts.get("kept_until") or "")[:10], "kept": ", ".join(facts.get("kept_purposes", [])),
        "categories": ", ".join(facts.get("categories", [])),
    }  # fmt: skip
    body = texts[outcome].format(**values) + "\n\n" + texts["complain"]
    body += f"\n\n{policy.shop.name}, {policy.shop.privacy_contact}"
    return Letter(_REPLY_SUBJECT[lang].format(id=request["id"]), body)
