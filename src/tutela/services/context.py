"""What every service is handed: settings, the engine, the keyring, the clock, the policy."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from tutela.core.clock import Clock
from tutela.core.crypto.keyring import Keyring
from tutela.core.policy import Policy
from tutela.core.settings import Settings


@dataclass(frozen=True)
class Context:
    settings: Settings
    engine: Engine
    keyring: Keyring
    clock: Clock
    policy: Policy

    def close(self) -> None:
        self.engine.dispose()
