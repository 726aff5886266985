"""A file read once for two things: the check that runs over it and its sha256 (the
import's identity), hashed on the way instead of in a second pass."""

from __future__ import annotations

import hashlib
import io


class HashingReader(io.RawIOBase):
    """The bytes of `raw` as they are read, each added to `digest`."""

    def __init__(self, raw: io.FileIO) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        count = self._raw.readinto(buffer)
        if count:
            self.digest.update(memoryview(buffer)[:count])
        return count or 0
