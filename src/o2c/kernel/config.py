"""Settings from the environment (prefix O2C_), built once by the composition root."""

from __future__ import annotations

from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="O2C_", extra="ignore")

    database_url: str = "sqlite:///o2c.db"
    host: str = "127.0.0.1"
    port: int = 8000
    # Differences up to this many minor units are written off when a payment settles an invoice.
    payment_tolerance_minor: int = 100
    # When set, every API request must carry it in the X-API-Key header.
    api_key: str | None = None
    # Outgoing mail (notify): no host means mail stays queued until one is configured.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_tls: str = "none"  # none | starttls | ssl
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "ar@localhost"
    smtp_timeout: float = 30.0
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
