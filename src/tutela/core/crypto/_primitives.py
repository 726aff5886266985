"""AEAD, HKDF and HMAC from pyca/cryptography. Private to keyring.py (an import-linter
contract enforces it): everything else speaks in recipes, not primitives."""

from __future__ import annotations

import os
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12

__all__ = ["AESGCM", "KEY_BYTES", "NONCE_BYTES", "InvalidTag", "Mac", "hkdf", "hmac_sha256", "random_bytes"]


class _RandomPool:
    """The operating system's random source, drawn 64 KiB at a time and handed out in
    slices: a system call per customer cost more than sealing its fields (measured on the
    import path). Slices are handed out under a lock and never twice, and a forked child
    drops the parent's buffer, so no two callers ever receive the same bytes (nonces must
    never repeat)."""

    _DRAW = 1 << 16

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buffer = b""
        self._offset = 0

    def take(self, n: int) -> bytes:
        if n > self._DRAW // 4:
            return os.urandom(n)
        with self._lock:
            if self._offset + n > len(self._buffer):
                self._buffer, self._offset = os.urandom(self._DRAW), 0
            start = self._offset
            self._offset = start + n
            return self._buffer[start : self._offset]

    def forget(self) -> None:
        self._lock = threading.Lock()
        self._buffer, self._offset = b"", 0


_POOL = _RandomPool()
os.register_at_fork(after_in_child=_POOL.forget)


def random_bytes(n: int) -> bytes:
    return _POOL.take(n)


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
