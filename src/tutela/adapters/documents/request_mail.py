"""Sending the letters of a data-subject request: the verification code, the reply (with the
one-time download link for an access package), the extension notice and the denial. One
module for the CLI, the REST API and the console, so all three write to the requester alike.

The download link goes into the reply only: callers never show it, nor the token, to the
person or program that asked for the fulfilment. Nothing here logs the address or the text;
a mail that does not leave raises `mail.not_sent` (services.mailer)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tutela.adapters.documents import letters
from tutela.services import consent_links, mailer, subject_requests
from tutela.services.context import Context
from tutela.services.request_fulfilment import Fulfilment

Deliver = Callable[[dict[str, Any], str], None]  # (request, code): subject_requests.open_request's `deliver`


def _mail(ctx: Context, to: str, language: str, letter: letters.Letter) -> None:
    message = mailer.Message(to=to, subject=letter.subject, text=letter.text, language=language)
    mailer.mailer_for(ctx.settings, clock=ctx.clock).send(message)


def _to_requester(ctx: Context, request_id: int, letter: letters.Letter) -> None:
    address, language = subject_requests.contact_of(ctx, request_id)
    _mail(ctx, address, language, letter)


def code_sender(ctx: Context, *, email: str, language: str) -> Deliver:
    """The `deliver` for open_request: the code letter to the address given, sent inside the
    request's transaction (a mail that cannot be sent leaves no request behind)."""

    def deliver(request: dict[str, Any], code: str) -> None:
        _mail(ctx, email.strip(), language, letters.code_letter(ctx.policy, request, code))

    return deliver


def download_link(ctx: Context, token: str) -> str:
    return ctx.settings.public_url + consent_links.DOWNLOAD_PATH + token


def send_reply(ctx: Context, done: Fulfilment) -> bool:
    """The answer to a fulfilled request; True when it carries a download link."""
    request = subject_requests.get(ctx, done.request_id)
    link = download_link(ctx, done.download_token) if done.download_token else None
    _to_requester(ctx, done.request_id, letters.reply_letter(ctx.policy, request, done.outcome, done.facts, link))
    return link is not None


def send_extension(ctx: Context, request_id: int, reason: str) -> None:
    request = subject_requests.get(ctx, request_id)
    _to_requester(ctx, request_id, letters.extension_letter(ctx.policy, request, reason))


def send_denial(ctx: Context, request_id: int) -> None:
    """The reply to a denied request: its reason (kept as the outcome) and how to complain."""
    request = subject_requests.get(ctx, request_id)
    _to_requester(ctx, request_id, letters.reply_letter(ctx.policy, request, "denied", {}))
