"""AEAD, HKDF and HMAC from pyca/cryptography. Private to keyring.py (an import-linter
contract enforces it): everything else speaks in recipes, not primitives."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12

__all__ = ["AESGCM", "KEY_BYTES", "NONCE_BYTES", "InvalidTag", "Mac", "hkdf", "hmac_sha256", "random_bytes"]


def random_bytes(n: int) -> bytes:
    return os.urandom(n)


def hkdf(root: bytes, info: bytes, length: int = KEY_BYTES) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(root)


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(message)
    return mac.finalize()


class Mac:
    """A keyed HMAC-SHA256 that is set up once and copied per message (cheap)."""

    def __init__(self, key: bytes) -> None:
        self._base = hmac.HMAC(key, hashes.SHA256())

    def digest(self, message: bytes) -> bytes:
        mac = self._base.copy()
        mac.update(message)
        return mac.finalize()
