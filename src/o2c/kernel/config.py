"""Settings from the environment (prefix O2C_), built once by the composition root.

Secrets (passwords, keys, a database URL with a password) come only from the environment
or from a file: `O2C_<NAME>_FILE=/run/secrets/...` reads the value from that file (Docker
and Kubernetes secrets), so the secret itself need not sit in the environment. A plain
`O2C_<NAME>` wins over its `_FILE` variant.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)


class FileVariables(PydanticBaseSettingsSource):
    """Values named by `O2C_<NAME>_FILE` variables, read from their files."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in self.settings_cls.model_fields:
            variable = f"O2C_{name.upper()}_FILE"
            path = os.environ.get(variable)
            if path:
                try:
                    values[name] = Path(path).read_text(encoding="utf-8").strip()
                except OSError as error:
                    raise ValueError(f"{variable}: cannot read {path}: {error.strerror}") from None
        return values


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="O2C_", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            FileVariables(settings_cls),
            dotenv_settings,
            file_secret_settings,
        )

    database_url: str = "sqlite:///o2c.db"
    host: str = "127.0.0.1"
    port: int = 8000
    # Differences up to this many minor units are written off when a payment settles an invoice.
    payment_tolerance_minor: int = 100
    # Session cookies of the web pages carry the Secure flag (set behind a TLS proxy).
    cookie_secure: bool = False
    # Lifetime of OAuth2 bearer tokens issued by POST /oauth/token.
    access_token_seconds: int = 3600
    # Outgoing mail (notify): no host means mail stays queued until one is configured.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_tls: str = "none"  # none | starttls | ssl
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "ar@localhost"
    smtp_timeout: float = 30.0
    # Where staff notices go (an order put on credit hold); none: they are not sent.
    staff_notice_address: str | None = None
    # Logs: "text" (readable on a terminal) or "json" (one object per line, for collectors).
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    # Background jobs: a worker's lease on a running job, and how often an idle worker polls.
    job_lease_seconds: int = 300
    worker_poll_seconds: float = 2.0
    # Succeeded jobs are deleted after this many days (failed ones stay until retried).
    job_retention_days: int = 30
    # Bank statements dropped in <dir>/<company code>/ are imported by the worker.
    statement_drop_dir: str | None = None
    # Peppol file drop: UBL invoices for customers delivered by Peppol are written here.
    peppol_drop_dir: str | None = None
    # Outbound webhooks: how long a receiver may take, and how many tries before giving up.
    webhook_timeout_seconds: float = 10.0
    webhook_max_attempts: int = 8
    # API rate limit per credential (or client address), e.g. "100/s burst 200"; unset: off.
    rate_limit: str | None = None
    # Where card and bank payments are taken: "none" refuses them, "simulator" takes them at
    # the built-in simulated processor (demos and tests: it moves no real money).
    payment_provider: Literal["none", "simulator"] = "none"
