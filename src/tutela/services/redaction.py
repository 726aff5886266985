"""`tutela redact`: a copy of a file with every personal-data value replaced — by its masked
preview, by a keyed hash (the same value always the same digest, so copies stay joinable),
or by a vault token that staff allowed to see that kind of data can resolve, audited."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import chain, islice

from sqlalchemy import insert, select

from tutela.core.actor import Actor
from tutela.core.detect import ColumnVerdict, PiiType
from tutela.core.detect.engine import classify_column, preview
from tutela.core.detect.stream import DEFAULT_WINDOW, segments
from tutela.core.errors import AccessDenied, InvalidValue
from tutela.core.policy import Access
from tutela.core.storage.engine import read_only, transaction
from tutela.core.storage.schema import redaction_token
from tutela.services import audit
from tutela.services.context import Context

TOKEN_PREFIX = "tvt_"  # noqa: S105 - what marks a token in a redacted file, not a secret
# Which policy category decides who may resolve a token of a type; a type with no category of
# its own (a card number, an IBAN, an id number) is what a free-text message would hold.
CATEGORY_OF: dict[PiiType, str] = {
    PiiType.EMAIL: "user.contact.email",
    PiiType.AMAZON_RELAY_EMAIL: "user.contact.email",
    PiiType.PHONE: "user.contact.phone_number",
    PiiType.CN_MOBILE: "user.contact.phone_number",
    PiiType.PERSON_NAME: "user.name",
    PiiType.STREET_ADDRESS: "user.contact.address.street",
    PiiType.POSTAL_CODE: "user.contact.address.postal_code",
}
FREE_TEXT = "user.content.free_text"


class RedactMode(StrEnum):
    MASK = "mask"
    HASH = "hash"
    VAULT = "vault"


@dataclass
class Redaction:
    """Replaces values as a file streams through; `counts` says how many of each type."""

    mode: RedactMode
    ctx: Context | None = None
    counts: dict[str, int] = field(default_factory=dict)
    _tokens: dict[tuple[PiiType, str], str] = field(default_factory=dict)
    _new_tokens: list[dict[str, object]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.mode is not RedactMode.MASK and self.ctx is None:
            raise InvalidValue(f"--mode {self.mode} needs the store's keys",
                               hint="run it where `tutela init` was run, or use --mode mask")  # fmt: skip

    def replacement(self, kind: PiiType, value: str) -> str:
        self.counts[str(kind)] = self.counts.get(str(kind), 0) + 1
        if self.mode is RedactMode.MASK:
            return preview(kind, value)
        assert self.ctx is not None
        if self.mode is RedactMode.HASH:
            return f"[{kind}:{self.ctx.keyring.redaction_digest(str(kind), value)}]"
        token = self._tokens.get((kind, value))
        if token is None:
            token = TOKEN_PREFIX + secrets.token_urlsafe(16)
            self._tokens[(kind, value)] = token
            self._new_tokens.append({
                "token": token, "type": str(kind),
                "sealed_value": self.ctx.keyring.seal_secret(f"redaction:{token}", value.encode("utf-8")),
            })  # fmt: skip
        return token

    def stream(self, pieces: Iterable[str], *, window: int = DEFAULT_WINDOW) -> Iterator[str]:
        for segment in segments(pieces, window=window):
            at = 0
            out = []
            for d in segment.detections:
                out.append(segment.text[at : d.start])
                out.append(self.replacement(d.type, segment.text[d.start : d.end]))
                at = d.end
            out.append(segment.text[at:])
            yield "".join(out)

    def rows(self, rows: Iterable[list[str]], *, sample: int = 1000) -> Iterator[list[str]]:
        """A table (header first) redacted cell by cell: a column judged personal data from its
        header and first `sample` values has every cell replaced whole (a name column holds
        names without a "Dear" before them); other cells are searched like text."""
        source = iter(rows)
        header = next(source, None)
        if header is None:
            return
        yield header
        head = list(islice(source, sample))
        verdicts = {
            index: classify_column(name, [row[index] for row in head if index < len(row) and row[index].strip()])
            for index, name in enumerate(header)
        }
        for row in chain(head, source):
            yield [self._cell(verdicts.get(index), cell) for index, cell in enumerate(row)]

    def _cell(self, verdict: ColumnVerdict | None, cell: str) -> str:
        if not cell.strip():
            return cell
        if verdict is not None:
            return self.replacement(verdict.type, cell)
        return "".join(self.stream([cell]))

    def commit(self, *, actor: Actor, source: str) -> None:
        """Store the vault tokens (if any) and audit the redaction: one event, counts only.
        Called once the redacted copy is written, so a failed write leaves no tokens behind."""
        if self.ctx is None:
            return
        now = self.ctx.clock.now()
        with transaction(self.ctx.engine) as connection:
            if self._new_tokens:
                rows = [row | {"created_at": now, "created_by": actor.id} for row in self._new_tokens]
                connection.execute(insert(redaction_token), rows)
            audit.record(connection, self.ctx, actor, [audit.Event(action="redact.file", details={
                "source": source, "mode": str(self.mode), "values": dict(sorted(self.counts.items())),
                "tokens": len(self._new_tokens),
            })])  # fmt: skip
        self._new_tokens.clear()


@dataclass(frozen=True)
class ResolvedToken:
    token: str
    type: PiiType
    value: str  # the value itself, or its masked preview when the role may see it masked only
    masked: bool
    created_at: datetime


def resolve(ctx: Context, *, actor: Actor, purpose: str, token: str) -> ResolvedToken:
    """The value behind a vault token, for a role that may see its kind under `purpose`."""
    with read_only(ctx.engine) as connection:
        row = connection.execute(select(redaction_token).where(redaction_token.c.token == token.strip())).first()
    if row is None or not token.startswith(TOKEN_PREFIX):
        raise InvalidValue("no such redaction token", hint="copy the whole token, e.g. tvt_… from the redacted file")
    kind = PiiType(row.type)
    access = ctx.policy.decide(actor.role, purpose, CATEGORY_OF.get(kind, FREE_TEXT))
    outcome = "ok" if access is not Access.DENIED else "denied"
    audit.record_alone(ctx, actor, audit.Event(action="redact.resolve", outcome=outcome, purpose=purpose,
                                               details={"token": row.token, "type": row.type}))  # fmt: skip
    if access is Access.DENIED:
        raise AccessDenied(f"role '{actor.role}' may not see a {kind} under purpose '{purpose}'",
                           hint="ask a staff member whose role the policy grants it")  # fmt: skip
    value = ctx.keyring.open_secret(f"redaction:{row.token}", row.sealed_value).decode("utf-8")
    masked = access is Access.MASKED
    return ResolvedToken(token=row.token, type=kind, value=preview(kind, value) if masked else value, masked=masked,
                         created_at=row.created_at)  # fmt: skip
