"""The one error tree. Each class carries a stable code; adapters map codes to exit codes
and HTTP statuses. Messages never contain a personal-data value."""

from __future__ import annotations


class TutelaError(Exception):
    """Base of every error a user can cause or meet. `hint` says how to fix it."""

    code = "tutela.error"

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ConfigInvalid(TutelaError):
    code = "config.invalid"


class StoreNotInitialised(TutelaError):
    code = "store.not_initialised"


class StoreExists(TutelaError):
    code = "store.exists"


class PolicyInvalid(TutelaError):
    """A policy file that does not validate; `problems` lists every problem found."""

    code = "policy.invalid"

    def __init__(self, message: str, *, hint: str = "", problems: tuple[str, ...] = ()) -> None:
        super().__init__(message, hint=hint)
        self.problems = problems


class UnknownPurpose(TutelaError):
    code = "policy.unknown_purpose"


class UnknownRole(TutelaError):
    code = "policy.unknown_role"


class UnknownCategory(TutelaError):
    code = "policy.unknown_category"


class CategoryNotDeclared(TutelaError):
    code = "vault.category_not_declared"


class SourceNotAllowed(TutelaError):
    code = "vault.source_not_allowed"


class InvalidValue(TutelaError):
    code = "vault.invalid_value"


class AccessDenied(TutelaError):
    code = "vault.access_denied"


class CannotOpen(TutelaError):
    """Deliberately opaque: the same message for a wrong key, a tampered or moved ciphertext."""

    code = "vault.cannot_open"


def cannot_open() -> CannotOpen:
    return CannotOpen(
        "cannot open the stored value",
        hint="it was altered, moved, or the key is not this store's; see `tutela audit tail`",
    )


class CustomerNotFound(TutelaError):
    code = "customer.not_found"


class CustomerErased(TutelaError):
    code = "customer.erased"


class KeyFileMissing(TutelaError):
    code = "keys.missing"


class KeyFileInsecure(TutelaError):
    code = "keys.insecure"


class KeyFileInvalid(TutelaError):
    code = "keys.invalid"


class KeyMismatch(TutelaError):
    code = "keys.mismatch"


class KeysReadOnly(TutelaError):
    code = "keys.read_only"


class StorageUnavailable(TutelaError):
    code = "storage.unavailable"


class StorageLocked(TutelaError):
    code = "storage.locked"


class SchemaOutdated(TutelaError):
    code = "storage.schema_mismatch"


class AuditWriteFailed(TutelaError):
    code = "audit.write_failed"


class AuditChainBroken(TutelaError):
    code = "audit.chain_broken"


class CheckpointInvalid(TutelaError):
    code = "audit.checkpoint_invalid"


class PersonalDataInText(TutelaError):
    code = "input.personal_data"


class ImportFileInvalid(TutelaError):
    code = "import.file_invalid"


class ImportFormatUnknown(TutelaError):
    code = "import.format_unknown"


class ColumnMapInvalid(TutelaError):
    code = "import.map_invalid"


class PasswordRejected(TutelaError):
    code = "staff.password_rejected"


class SignInFailed(TutelaError):
    """One message for a wrong name, password or code: no hint which one was wrong."""

    code = "staff.sign_in_failed"


class AccountLocked(TutelaError):
    code = "staff.locked"


class StaffNotFound(TutelaError):
    code = "staff.not_found"


class StaffExists(TutelaError):
    code = "staff.exists"


class SetupLinkInvalid(TutelaError):
    code = "staff.setup_invalid"


class TokenInvalid(TutelaError):
    """Unknown, expired and revoked tokens look the same from outside."""

    code = "token.invalid"


class TokenNotAllowed(TutelaError):
    code = "token.forbidden"


class PurposeNotAllowed(TutelaError):
    """A known purpose that this kind of data is not read under (a return case: only 'returns')."""

    code = "vault.purpose_not_allowed"


class OrderNotFound(TutelaError):
    code = "order.not_found"


class ReturnNotFound(TutelaError):
    code = "returns.not_found"


class ReturnAlreadyClosed(TutelaError):
    code = "returns.already_closed"


class HoldNotFound(TutelaError):
    code = "hold.not_found"


class HoldAlreadyReleased(TutelaError):
    code = "hold.already_released"


class RevocationNotComplete(TutelaError):
    """An Amazon revocation whose deletion has not finished: no certificate yet."""

    code = "amazon.revocation_pending"


class LinkInvalid(TutelaError):
    """A public link that is forged, altered or expired: the same answer for all three."""

    code = "link.invalid"


class RequestNotFound(TutelaError):
    code = "request.not_found"


class RequestRefused(TutelaError):
    """A data-subject request step that the state or the law does not allow (a wrong code, a
    late extension, a used download link)."""

    code = "request.refused"


class MailNotSent(TutelaError):
    """Outgoing mail that did not leave: the message names the mail server (host:port) or the
    outbox and the kind of failure, never the recipient address or the body."""

    code = "mail.not_sent"


class CustomerRestricted(TutelaError):
    """GDPR Art. 18: the customer's data is restricted; only a legal-obligation purpose may read it."""

    code = "customer.restricted"


class ScanInputInvalid(TutelaError):
    """A scan asked of something that cannot be scanned as given: a path that does not exist,
    a database URL that does not parse or connect, a table that is not there."""

    code = "scan.input_invalid"


class ScanClusterUnreachable(TutelaError):
    """The Dask scheduler given with --dask did not answer; raised before any work starts."""

    code = "scan.cluster_unreachable"


class ScanNotFound(TutelaError):
    code = "scan.not_found"


class ScanRefused(TutelaError):
    """A scan that may not start: an unknown location, or one already running there."""

    code = "scan.refused"
