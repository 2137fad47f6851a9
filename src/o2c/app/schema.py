"""The whole schema: imports every domain's tables so metadata and migrations see them all."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData

import o2c.analytics.tables
import o2c.billing.tables
import o2c.cashapp.tables
import o2c.catalog.tables
import o2c.collections.tables
import o2c.credit.tables
import o2c.db.idempotency
import o2c.db.outbox
import o2c.disputes.tables
import o2c.fraud.tables
import o2c.integration.tables
import o2c.integration.webhook_tables
import o2c.inventory.tables
import o2c.jobs.tables
import o2c.ledger.tables
import o2c.notices.tables
import o2c.notify.tables
import o2c.orders.tables
import o2c.parties.tables
import o2c.payments.tables
import o2c.returns.tables
import o2c.security.access_tables
import o2c.security.chain_tables
import o2c.security.tables
import o2c.shipping.tables
import o2c.subscriptions.tables  # noqa: F401
from o2c.db.base import Base

MIGRATIONS = Path(__file__).with_name("migrations")


def metadata() -> MetaData:
    return Base.metadata


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema (what `o2c init` and the server start run)."""
    command.upgrade(alembic_config(engine), "heads")


def create_schema(engine: Engine) -> None:
    """A new database at the newest schema: by migration once migrations exist."""
    if any((MIGRATIONS / "versions").glob("*.py")):
        upgrade(engine)
    else:
        metadata().create_all(engine)
