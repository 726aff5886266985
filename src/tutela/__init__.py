"""Tutela: an online seller's customer data, private and provably compliant.

The library comes first; the CLI (and later the API and console) call these same services.

    from tutela import load_settings, open_store, SystemClock, LOCAL_OPERATOR, vault
    ctx = open_store(load_settings(), SystemClock())
    vault.find_customers(ctx, actor=LOCAL_OPERATOR, email="ada@example.com")
"""

from tutela.core.actor import LOCAL_OPERATOR, Actor
from tutela.core.clock import Clock, FixedClock, SystemClock
from tutela.core.errors import TutelaError
from tutela.core.settings import Settings, load_settings
from tutela.services import audit, keys, policy_versions, status, vault
from tutela.services.context import Context
from tutela.services.store import init_store, open_store

__version__ = "0.1.0"

__all__ = [
    "LOCAL_OPERATOR",
    "Actor",
    "Clock",
    "Context",
    "FixedClock",
    "Settings",
    "SystemClock",
    "TutelaError",
    "__version__",
    "audit",
    "init_store",
    "keys",
    "load_settings",
    "open_store",
    "policy_versions",
    "status",
    "vault",
]
