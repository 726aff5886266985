"""What every service is handed: settings, the engine, the keyring, the clock, the policy."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from tutela.core.clock import Clock
from tutela.core.crypto.keyfile import read_keyring
from tutela.core.crypto.keyring import Keyring
from tutela.core.errors import KeyMismatch
from tutela.core.policy import Policy
from tutela.core.settings import Settings


class KeyringHolder:
    """The keyring in use, which can move on while a process runs: a rotation (here or in
    another process sharing the store) adds a key version that data keys are then wrapped
    under. Meeting a version it does not know, the holder reads the key source again."""

    def __init__(self, settings: Settings, keyring: Keyring) -> None:
        self._settings = settings
        self._keyring = keyring

    @property
    def current(self) -> Keyring:
        return self._keyring

    def replace(self, keyring: Keyring) -> None:
        self._keyring = keyring

    def with_version(self, version: int) -> Keyring:
        if version not in self._keyring.keks:
            fresh = read_keyring(self._settings)
            if fresh.store_id != self._keyring.store_id:
                raise KeyMismatch(
                    "the key material changed to another store's while tutela was running",
                    hint="put this store's key file back",
                )
            self._keyring = fresh
        return self._keyring


@dataclass(frozen=True)
class Context:
    settings: Settings
    engine: Engine
    keys: KeyringHolder
    clock: Clock
    policy: Policy

    @property
    def keyring(self) -> Keyring:
        return self.keys.current

    def close(self) -> None:
        self.engine.dispose()
