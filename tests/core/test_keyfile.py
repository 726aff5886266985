from __future__ import annotations

import json
from pathlib import Path

import pytest

from tutela.core.crypto.keyfile import read_key_file, read_keyring, write_key_file
from tutela.core.crypto.keyring import Keyring
from tutela.core.errors import KeyFileInsecure, KeyFileInvalid, KeyFileMissing
from tutela.core.settings import Secret, Settings


def test_written_file_is_private_and_reads_back(tmp_path: Path) -> None:
    keyring = Keyring.generate("s1")
    path = tmp_path / "k" / "tutela.key"
    write_key_file(path, keyring)
    assert path.stat().st_mode & 0o777 == 0o600
    assert read_key_file(path) == keyring
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tutela-key-")]


def test_missing_file_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(KeyFileMissing) as caught:
        read_key_file(tmp_path / "nope.key")
    assert "tutela init" in caught.value.hint


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644, 0o660])
def test_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "tutela.key"
    write_key_file(path, Keyring.generate("s1"))
    path.chmod(mode)
    with pytest.raises(KeyFileInsecure) as caught:
        read_key_file(path)
    assert f"chmod 600 {path}" in caught.value.hint


def test_damaged_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "tutela.key"
    path.write_text("{not json")
    path.chmod(0o600)
    with pytest.raises(KeyFileInvalid):
        read_key_file(path)


def test_master_key_variable_takes_the_same_document(tmp_path: Path) -> None:
    keyring = Keyring.generate("s2")
    settings = Settings(data_dir=tmp_path, master_key=Secret(json.dumps(keyring.to_document())))
    assert read_keyring(settings) == keyring
    assert "s2" not in repr(settings) and "keks" not in repr(settings)
    with pytest.raises(KeyFileInvalid) as caught:
        read_keyring(Settings(data_dir=tmp_path, master_key=Secret("hunter2")))
    assert "hunter2" not in str(caught.value)
