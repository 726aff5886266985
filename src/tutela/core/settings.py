"""Settings come from explicit arguments first, then the environment, then defaults.
They are frozen; the master key never appears in a repr or a log line."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tutela.core.errors import ConfigInvalid

DEFAULT_DATA_DIR = Path("tutela-data")
KEY_FILE_NAME = "tutela.key"
POLICY_FILE_NAME = "policy.toml"
DATABASE_FILE_NAME = "tutela.db"
TOMBSTONE_JOURNAL_NAME = "tombstones.jsonl"


@dataclass(frozen=True)
class Secret:
    """A string that does not show itself."""

    value: str = field(repr=False)

    def __repr__(self) -> str:
        return "Secret('********')"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str | None = None
    master_key: Secret | None = field(default=None, repr=False)
    busy_timeout_ms: int = 5000
    retention_interval_minutes: int = 60  # how often `serve` deletes what is due
    public_url: str = "http://127.0.0.1:8080"  # where customers reach the public pages (links in e-mails)
    # Outgoing mail (verification codes, replies). No host: messages go to DATA_DIR/outbox as files.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: Secret | None = field(default=None, repr=False)
    smtp_starttls: bool = True
    mail_from: str = "privacy@localhost"
    # Shopify's mandatory compliance webhooks are signed with the app's client secret; unset: no webhooks.
    shopify_webhook_secret: Secret | None = field(default=None, repr=False)

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def key_file(self) -> Path:
        return self.data_dir / KEY_FILE_NAME

    @property
    def policy_file(self) -> Path:
        return self.data_dir / POLICY_FILE_NAME

    @property
    def tombstone_journal(self) -> Path:
        return self.data_dir / TOMBSTONE_JOURNAL_NAME

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / DATABASE_FILE_NAME).resolve()}"

    @property
    def backend(self) -> str:
        return "postgresql" if self.effective_database_url.startswith("postgresql") else "sqlite"


def load_settings(
    *,
    data_dir: Path | None = None,
    database_url: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    env = os.environ if environ is None else environ
    chosen_dir = data_dir or Path(env.get("TUTELA_DATA_DIR") or DEFAULT_DATA_DIR)
    url = database_url or env.get("TUTELA_DATABASE_URL") or None
    if url and not (url.startswith("postgresql") or url.startswith("sqlite")):
        raise ConfigInvalid(
            "TUTELA_DATABASE_URL must be a postgresql+psycopg:// or sqlite:/// URL",
            hint="e.g. postgresql+psycopg://user@127.0.0.1:5432/tutela",
        )
    if url and url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    raw_key = env.get("TUTELA_MASTER_KEY")
    timeout_text = env.get("TUTELA_BUSY_TIMEOUT_MS", "5000")
    try:
        busy_timeout = int(timeout_text)
    except ValueError:
        raise ConfigInvalid(
            "TUTELA_BUSY_TIMEOUT_MS must be a whole number of milliseconds",
            hint="unset it or set e.g. 5000",
        ) from None
    interval_text = env.get("TUTELA_RETENTION_INTERVAL_MINUTES", "60")
    if not interval_text.isdigit() or not 1 <= int(interval_text) <= 1440:
        raise ConfigInvalid(
            "TUTELA_RETENTION_INTERVAL_MINUTES must be a whole number of minutes from 1 to 1440",
            hint="unset it for hourly, or set e.g. 15",
        )
    public_url = env.get("TUTELA_PUBLIC_URL", "http://127.0.0.1:8080").rstrip("/")
    if not public_url.startswith(("https://", "http://")):
        raise ConfigInvalid("TUTELA_PUBLIC_URL must start with https:// (or http:// on a test machine)",
                            hint="e.g. https://privacy.my-shop.example")  # fmt: skip
    smtp_port_text = env.get("TUTELA_SMTP_PORT", "587")
    if not smtp_port_text.isdigit() or not 1 <= int(smtp_port_text) <= 65535:
        raise ConfigInvalid("TUTELA_SMTP_PORT must be a port number", hint="e.g. 587 (STARTTLS) or 25")
    smtp_password = env.get("TUTELA_SMTP_PASSWORD")
    shopify_secret = env.get("TUTELA_SHOPIFY_WEBHOOK_SECRET")
    return Settings(
        data_dir=chosen_dir,
        database_url=url,
        master_key=Secret(raw_key) if raw_key else None,
        busy_timeout_ms=busy_timeout,
        retention_interval_minutes=int(interval_text),
        public_url=public_url,
        smtp_host=env.get("TUTELA_SMTP_HOST") or None,
        smtp_port=int(smtp_port_text),
        smtp_user=env.get("TUTELA_SMTP_USER") or None,
        smtp_password=Secret(smtp_password) if smtp_password else None,
        smtp_starttls=env.get("TUTELA_SMTP_STARTTLS", "1") not in {"0", "false", "no"},
        mail_from=env.get("TUTELA_MAIL_FROM", "privacy@localhost"),
        shopify_webhook_secret=Secret(shopify_secret) if shopify_secret else None,
    )
