"""Where the keyring lives: a key file (mode 0600, refused when others can read it) or the
TUTELA_MASTER_KEY variable holding the same JSON document. Never logged, never printed."""

from __future__ import annotations

import json
import os
import stat
import tempfile
from pathlib import Path

from tutela.core.crypto.keyring import Keyring
from tutela.core.errors import KeyFileInsecure, KeyFileInvalid, KeyFileMissing
from tutela.core.settings import Settings


def read_keyring(settings: Settings) -> Keyring:
    if settings.master_key is not None:
        try:
            document = json.loads(settings.master_key.value)
        except ValueError:
            raise KeyFileInvalid(
                "TUTELA_MASTER_KEY is not a tutela keyring",
                hint="set it to the exact contents of the key file written by `tutela init`",
            ) from None
        return Keyring.from_document(document)
    return read_key_file(settings.key_file)


def read_key_file(path: Path) -> Keyring:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise KeyFileMissing(
            f"no key file at {path}",
            hint="run `tutela init` for a new store, restore the key file from your backup, or set TUTELA_MASTER_KEY",
        ) from None
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileInsecure(
            f"the key file {path} can be read by other users (mode {stat.S_IMODE(info.st_mode):04o})",
            hint=f"run `chmod 600 {path}`",
        )
    try:
        document = json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise KeyFileInvalid(f"the key file {path} is damaged", hint="restore it from your backup") from None
    return Keyring.from_document(document)


def write_key_file(path: Path, keyring: Keyring) -> None:
    """Atomically: a new private file next to the old one, flushed, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(keyring.to_document(), indent=2).encode("utf-8")
    fd, temp_name = tempfile.mkstemp(prefix=".tutela-key-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, payload)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp_name, path)
