"""The envelope format is pinned by known-answer vectors and by an independent
re-derivation with the raw AES-GCM primitive from the documented layout."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from tutela.core.crypto.keyring import BLIND_INDEX_BYTES, Keyring
from tutela.core.errors import CannotOpen, KeyFileInvalid
from tutela.core.taxonomy import IndexKind

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "envelope.json").read_text())


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.from_document(VECTORS["keyring"])


def test_wrapped_dek_matches_vector_and_documented_layout(keyring: Keyring) -> None:
    vector = VECTORS["wrapped_dek"]
    dek = bytes.fromhex(VECTORS["dek_hex"])
    _, wrapped = keyring.wrap_dek(vector["customer_id"], dek, version=1, _nonce=bytes.fromhex(vector["nonce_hex"]))
    assert wrapped.hex() == vector["envelope_hex"]
    kek = keyring.keks[1]
    aad = b"\x1f".join([b"tutela.dek.v1", vector["customer_id"].encode(), b"1"])
    nonce = bytes.fromhex(vector["nonce_hex"])
    assert wrapped == b"\x01" + nonce + AESGCM(kek).encrypt(nonce, dek, aad)
    assert keyring.unwrap_dek(vector["customer_id"], 1, wrapped) == dek


def test_field_envelope_matches_vector_and_documented_layout(keyring: Keyring) -> None:
    v = VECTORS["field"]
    dek = bytes.fromhex(VECTORS["dek_hex"])
    nonce = bytes.fromhex(v["nonce_hex"])
    sealed = keyring.seal_field(dek, v["customer_id"], v["category"], v["purpose"], v["plaintext"], _nonce=nonce)
    assert sealed.hex() == v["envelope_hex"]
    aad = b"\x1f".join([b"tutela.field.v1", v["customer_id"].encode(), v["category"].encode(), v["purpose"].encode()])
    assert sealed == b"\x01" + nonce + AESGCM(dek).encrypt(nonce, v["plaintext"].encode(), aad)
    assert keyring.open_field(dek, v["customer_id"], v["category"], v["purpose"], sealed) == v["plaintext"]


def test_blind_index_vectors_and_derivation(keyring: Keyring) -> None:
    root = keyring.index_root
    for vector in VECTORS["blind_index"]:
        kind = IndexKind(vector["kind"])
        digest = keyring.blind_index(kind, vector["normalized"])
        assert digest.hex() == vector["digest_hex"]
        key = HKDF(hashes.SHA256(), 32, None, b"tutela/blind-index/v1/" + kind.value.encode()).derive(root)
        expected = hmac.new(key, vector["normalized"].encode(), hashlib.sha256).digest()[:BLIND_INDEX_BYTES]
        assert digest == expected
    assert keyring.key_check(1) == VECTORS["key_check_v1"]


@pytest.mark.parametrize(
    ("customer_id", "category", "purpose"),
    [
        ("c_other_customer", "user.contact.email", "fulfillment"),  # moved to another row
        ("c0123456789abcdef", "user.name", "fulfillment"),  # moved to another column
        ("c0123456789abcdef", "user.contact.email", "marketing_email"),  # relabelled purpose
    ],
)
def test_moved_ciphertext_does_not_open(keyring: Keyring, customer_id: str, category: str, purpose: str) -> None:
    envelope = bytes.fromhex(VECTORS["field"]["envelope_hex"])
    with pytest.raises(CannotOpen) as caught:
        keyring.open_field(bytes.fromhex(VECTORS["dek_hex"]), customer_id, category, purpose, envelope)
    assert "ada@example.com" not in str(caught.value)


def test_tampering_and_wrong_keys_give_one_opaque_error(keyring: Keyring) -> None:
    v = VECTORS["field"]
    envelope = bytearray(bytes.fromhex(v["envelope_hex"]))
    envelope[20] ^= 0x01
    dek = bytes.fromhex(VECTORS["dek_hex"])
    messages = set()
    for attempt in (
        lambda: keyring.open_field(dek, v["customer_id"], v["category"], v["purpose"], bytes(envelope)),
        lambda: keyring.open_field(
            bytes(32), v["customer_id"], v["category"], v["purpose"], bytes.fromhex(v["envelope_hex"])
        ),
        lambda: keyring.open_field(dek, v["customer_id"], v["category"], v["purpose"], b"\x02" + bytes(40)),
        lambda: keyring.unwrap_dek(v["customer_id"], 7, bytes.fromhex(VECTORS["wrapped_dek"]["envelope_hex"])),
    ):
        with pytest.raises(CannotOpen) as caught:
            attempt()
        messages.add(str(caught.value))
    assert len(messages) == 1


def test_rotation_keeps_old_versions_and_rewraps(keyring: Keyring) -> None:
    rotated = keyring.with_new_version()
    assert rotated.newest_version == 2
    assert rotated.keks[1] == keyring.keks[1]
    assert rotated.index_root == keyring.index_root
    wrapped = bytes.fromhex(VECTORS["wrapped_dek"]["envelope_hex"])
    version, rewrapped = rotated.rewrap_dek("c0123456789abcdef", 1, wrapped)
    assert version == 2
    assert rotated.unwrap_dek("c0123456789abcdef", 2, rewrapped).hex() == VECTORS["dek_hex"]
    with pytest.raises(CannotOpen):
        rotated.unwrap_dek("c0123456789abcdef", 1, rewrapped)  # the AAD binds the KEK version


def test_seal_customer_bulk_path_opens_with_single_field_api(keyring: Keyring) -> None:
    sealed = keyring.seal_customer("c1", "fulfillment", [("user.name", "Ada"), ("user.contact.email", "a@b.de")])
    dek = keyring.unwrap_dek("c1", sealed.kek_version, sealed.wrapped_dek)
    assert keyring.open_field(dek, "c1", "user.name", "fulfillment", sealed.envelopes[0]) == "Ada"
    assert keyring.open_field(dek, "c1", "user.contact.email", "fulfillment", sealed.envelopes[1]) == "a@b.de"
    nonces = {e[1:13] for e in sealed.envelopes} | {sealed.wrapped_dek[1:13]}
    assert len(nonces) == 3


def test_document_round_trip_and_rejections(keyring: Keyring) -> None:
    assert Keyring.from_document(keyring.to_document()) == keyring
    for broken in (
        {},
        {"format": "other"},
        {**VECTORS["keyring"], "keks": {"1": "not base64!"}},
        {**VECTORS["keyring"], "keks": {"1": "AAAA"}},
    ):
        with pytest.raises(KeyFileInvalid):
            Keyring.from_document(broken)
    assert "keks" not in repr(keyring) or "b'" not in repr(keyring)
