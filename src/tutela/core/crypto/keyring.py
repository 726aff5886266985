"""The recipe: versioned key-encryption keys (KEK), a data key (DEK) per customer, field
envelopes, blind indexes and audit checkpoint MACs.

Envelope (field ciphertext and wrapped DEK alike): 1 byte format version (0x01) ||
12-byte random nonce || AES-256-GCM ciphertext and tag. The associated data binds a field
to its customer, category, purpose and the format version, and a wrapped DEK to its
customer and KEK version, so a ciphertext moved to another row or column does not open.

Blind index: HMAC-SHA256 under a per-index key derived by HKDF from the index root (a
secret separate from every KEK), truncated to 8 bytes. With 10 million stored values the
chance that an unrelated value shares a lookup's digest is about 10^7 / 2^64 ≈ 5e-13, and
candidates are confirmed by decryption anyway; a longer digest would add storage, not safety.
"""

from __future__ import annotations

import base64
import functools
import hmac as _stdlib_hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from tutela.core.crypto._primitives import (
    AESGCM,
    KEY_BYTES,
    NONCE_BYTES,
    InvalidTag,
    Mac,
    hkdf,
    hmac_sha256,
    random_bytes,
)
from tutela.core.errors import KeyFileInvalid, cannot_open
from tutela.core.taxonomy import IndexKind

FORMAT_V1 = 1
_FORMAT_BYTE = bytes([FORMAT_V1])
BLIND_INDEX_BYTES = 8
DOCUMENT_FORMAT = "tutela-keyring"
_SEP = b"\x1f"


def _field_aad(customer_id: str, category: str, purpose: str) -> bytes:
    return _SEP.join((b"tutela.field.v1", customer_id.encode(), category.encode(), purpose.encode()))


def _field_aad_tail(category: str, purpose: str) -> bytes:
    return category.encode() + _SEP + purpose.encode()


@functools.lru_cache(maxsize=64)
def _aad_tails(purpose: str) -> dict[str, bytes]:
    """A per-purpose memo of AAD tails (filled as categories come): the write path's loop."""
    return {}


def _dek_aad(customer_id: str, kek_version: int) -> bytes:
    return _SEP.join((b"tutela.dek.v1", customer_id.encode(), str(kek_version).encode()))


def _seal(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    return _FORMAT_BYTE + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _open(key: bytes, envelope: bytes, aad: bytes) -> bytes:
    return _open_with(AESGCM(key), envelope, aad)


def _open_with(cipher: AESGCM, envelope: bytes, aad: bytes) -> bytes:
    if len(envelope) < 1 + NONCE_BYTES + 16 or envelope[0] != FORMAT_V1:
        raise cannot_open()
    try:
        return cipher.decrypt(envelope[1 : 1 + NONCE_BYTES], envelope[1 + NONCE_BYTES :], aad)
    except InvalidTag:
        raise cannot_open() from None


class SealedCustomer(NamedTuple):
    kek_version: int
    wrapped_dek: bytes
    envelopes: list[bytes]
    dek: bytes  # kept by the caller only while it writes more fields of the same customer


@dataclass(frozen=True)
class Keyring:
    store_id: str
    keks: dict[int, bytes] = field(repr=False)
    index_root: bytes = field(repr=False)
    _index_macs: dict[IndexKind, Mac] = field(init=False, repr=False, compare=False)
    _fingerprint_mac: Mac = field(init=False, repr=False, compare=False)
    _link_mac: Mac = field(init=False, repr=False, compare=False)
    _client_mac: Mac = field(init=False, repr=False, compare=False)
    _redaction_mac: Mac = field(init=False, repr=False, compare=False)
    _kek_ciphers: dict[int, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.keks or any(len(k) != KEY_BYTES for k in self.keks.values()):
            raise KeyFileInvalid("the keyring holds no valid 256-bit key", hint="restore the key file from your backup")
        if len(self.index_root) != KEY_BYTES:
            raise KeyFileInvalid(
                "the keyring's index root is not 256 bits", hint="restore the key file from your backup"
            )
        object.__setattr__(self, "_fingerprint_mac", Mac(hkdf(self.index_root, b"tutela/fingerprint/v1")))
        object.__setattr__(self, "_link_mac", Mac(hkdf(self.index_root, b"tutela/public-link/v1")))
        object.__setattr__(self, "_client_mac", Mac(hkdf(self.index_root, b"tutela/web-client/v1")))
        object.__setattr__(self, "_redaction_mac", Mac(hkdf(self.index_root, b"tutela/redaction/v1")))
        object.__setattr__(self, "_kek_ciphers", {})
        object.__setattr__(
            self,
            "_index_macs",
            {kind: Mac(hkdf(self.index_root, b"tutela/blind-index/v1/" + kind.value.encode())) for kind in IndexKind},
        )

    # -- lifecycle ---------------------------------------------------------------
    @classmethod
    def generate(cls, store_id: str) -> Keyring:
        return cls(store_id=store_id, keks={1: random_bytes(KEY_BYTES)}, index_root=random_bytes(KEY_BYTES))

    @property
    def newest_version(self) -> int:
        return max(self.keks)

    def with_new_version(self) -> Keyring:
        keks = dict(self.keks)
        keks[self.newest_version + 1] = random_bytes(KEY_BYTES)
        return Keyring(store_id=self.store_id, keks=keks, index_root=self.index_root)

    def to_document(self) -> dict[str, object]:
        b64 = base64.b64encode
        return {
            "format": DOCUMENT_FORMAT,
            "format_version": FORMAT_V1,
            "store_id": self.store_id,
            "keks": {str(v): b64(k).decode() for v, k in sorted(self.keks.items())},
            "index_root": b64(self.index_root).decode(),
        }

    @classmethod
    def from_document(cls, document: object) -> Keyring:
        problem = KeyFileInvalid(
            "the key material is not a tutela keyring",
            hint="use the key file written by `tutela init` (or its exact contents in TUTELA_MASTER_KEY)",
        )
        if not isinstance(document, dict) or document.get("format") != DOCUMENT_FORMAT:
            raise problem
        try:
            keks = {int(v): base64.b64decode(k, validate=True) for v, k in document["keks"].items()}
            root = base64.b64decode(document["index_root"], validate=True)
            store_id = str(document["store_id"])
        except (KeyError, ValueError, TypeError, AttributeError):
            raise problem from None
        return cls(store_id=store_id, keks=keks, index_root=root)

    def key_check(self, version: int) -> str:
        """A value stored in the database that proves a KEK belongs to this store,
        without revealing anything about the key."""
        return hmac_sha256(self.keks[version], b"tutela key check v1|" + self.store_id.encode()).hex()

    def matches_check(self, version: int, check: str) -> bool:
        return version in self.keks and _stdlib_hmac.compare_digest(self.key_check(version), check)

    # -- data keys ---------------------------------------------------------------
    def _kek(self, version: int) -> bytes:
        try:
            return self.keks[version]
        except KeyError:
            raise cannot_open() from None

    def new_dek(self) -> bytes:
        return random_bytes(KEY_BYTES)

    def wrap_dek(
        self, customer_id: str, dek: bytes, *, version: int | None = None, _nonce: bytes | None = None
    ) -> tuple[int, bytes]:
        chosen = self.newest_version if version is None else version
        nonce = _nonce if _nonce is not None else random_bytes(NONCE_BYTES)
        return chosen, self._wrap(chosen, nonce, dek, customer_id)

    def _kek_cipher(self, version: int) -> AESGCM:
        cipher = self._kek_ciphers.get(version)
        if cipher is None:  # the key schedule is set up once per version, not once per customer
            cipher = self._kek_ciphers[version] = AESGCM(self._kek(version))
        return cipher

    def _wrap(self, version: int, nonce: bytes, dek: bytes, customer_id: str) -> bytes:
        return _FORMAT_BYTE + nonce + self._kek_cipher(version).encrypt(nonce, dek, _dek_aad(customer_id, version))

    def unwrap_dek(self, customer_id: str, version: int, wrapped: bytes) -> bytes:
        return _open_with(self._kek_cipher(version), wrapped, _dek_aad(customer_id, version))

    def rewrap_dek(self, customer_id: str, version: int, wrapped: bytes) -> tuple[int, bytes]:
        return self.wrap_dek(customer_id, self.unwrap_dek(customer_id, version, wrapped))

    # -- fields ------------------------------------------------------------------
    def seal_field(
        self,
        dek: bytes,
        customer_id: str,
        category: str,
        purpose: str,
        value: str,
        *,
        _nonce: bytes | None = None,
    ) -> bytes:
        nonce = _nonce if _nonce is not None else random_bytes(NONCE_BYTES)
        return _seal(dek, nonce, value.encode("utf-8"), _field_aad(customer_id, category, purpose))

    def open_field(self, dek: bytes, customer_id: str, category: str, purpose: str, envelope: bytes) -> str:
        return _open(dek, envelope, _field_aad(customer_id, category, purpose)).decode("utf-8")

    def open_fields(self, dek: bytes, customer_id: str, items: Sequence[tuple[str, str, bytes]]) -> list[str]:
        """Several of one customer's fields, (category, purpose, envelope) each: one key schedule."""
        cipher = AESGCM(dek)
        return [_open_with(cipher, envelope, _field_aad(customer_id, category, purpose)).decode("utf-8")
                for category, purpose, envelope in items]  # fmt: skip

    def seal_customer(self, customer_id: str, purpose: str, values: Sequence[tuple[str, str]]) -> SealedCustomer:
        """A new DEK, wrapped under the newest KEK, and one envelope per (category, value)
        stored under `purpose`: the bulk path, one call to the random source for all nonces."""
        return self.seal_new_customer(customer_id, [(purpose, values)])

    def seal_new_customer(
        self, customer_id: str, groups: Sequence[tuple[str, Sequence[tuple[str, str]]]]
    ) -> SealedCustomer:
        """`seal_customer` for fields under several purposes: one DEK, envelopes in order."""
        version = self.newest_version
        count = sum(len(values) for _, values in groups)
        randomness = random_bytes(KEY_BYTES + NONCE_BYTES * (count + 1))
        dek = randomness[:KEY_BYTES]
        offset = KEY_BYTES + NONCE_BYTES
        wrapped = self._wrap(version, randomness[KEY_BYTES:offset], dek, customer_id)
        encrypt = AESGCM(dek).encrypt
        aad_head = b"tutela.field.v1" + _SEP + customer_id.encode() + _SEP
        envelopes = []
        for purpose, values in groups:
            tails = _aad_tails(purpose)
            for category, value in values:
                nonce = randomness[offset : offset + NONCE_BYTES]
                offset += NONCE_BYTES
                tail = tails.get(category) or tails.setdefault(category, _field_aad_tail(category, purpose))
                envelopes.append(_FORMAT_BYTE + nonce + encrypt(nonce, value.encode("utf-8"), aad_head + tail))
        return SealedCustomer(version, wrapped, envelopes, dek)

    # -- indexes and MACs ----------------------------------------------------------
    def blind_index(self, kind: IndexKind, normalized: str) -> bytes:
        return self._index_macs[kind].digest(normalized.encode("utf-8"))[:BLIND_INDEX_BYTES]

    def fingerprint(self, values: Sequence[tuple[str, str]]) -> bytes:
        """A keyed digest (8 bytes) of a set of (category, value) pairs, so that an import can
        tell unchanged data without opening it."""
        message = "\x1e".join(["\x1f".join(pair) for pair in sorted(values)])
        return self._fingerprint_mac.digest(message.encode("utf-8"))[:BLIND_INDEX_BYTES]

    def seal_secret(self, label: str, secret: bytes) -> bytes:
        """A store secret (a staff member's TOTP seed) sealed under a key derived from the
        index root; `label` (e.g. "staff:7:totp") is bound as associated data."""
        key = hkdf(self.index_root, b"tutela/store-secrets/v1")
        return _seal(key, random_bytes(NONCE_BYTES), secret, b"tutela.secret.v1" + _SEP + label.encode())

    def open_secret(self, label: str, envelope: bytes) -> bytes:
        key = hkdf(self.index_root, b"tutela/store-secrets/v1")
        return _open(key, envelope, b"tutela.secret.v1" + _SEP + label.encode())

    def link_mac(self, message: bytes) -> bytes:
        """Signs a customer's public link (preference centre, unsubscribe): 16 bytes."""
        return self._link_mac.digest(message)[:16]

    def client_digest(self, text: str) -> str:
        """A keyed hash of a web client's IP address and user agent: proof without the values."""
        return self._client_mac.digest(text.encode("utf-8")).hex()

    def redaction_digest(self, kind: str, value: str) -> str:
        """`tutela redact --mode hash`: the same value of a type always becomes the same 16 hex
        digits in this store (copies stay joinable), and nobody without the key can test a guess."""
        return self._redaction_mac.digest(f"{kind}\x1f{value}".encode()).hex()[:16]

    def checkpoint_mac(self, message: bytes) -> bytes:
        return hmac_sha256(hkdf(self.index_root, b"tutela/audit-checkpoint/v1"), message)
