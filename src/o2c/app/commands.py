"""Every domain's Typer sub-app the `o2c` CLI mounts: one import and one entry per domain.

Each entry is `(name, app)`; `o2c <name> ...` runs that domain's commands.
"""

from __future__ import annotations

import typer

from o2c.analytics.cli import analytics_app as analytics_commands
from o2c.analytics.cli import kpi_app as kpi_commands
from o2c.app.jobs_cli import app as jobs_commands
from o2c.billing.cli import app as invoice_commands
from o2c.cashapp.cli import app as cashapp_commands
from o2c.collections.cli import app as collections_commands
from o2c.credit.cli import app as credit_commands
from o2c.disputes.cli import app as disputes_commands
from o2c.integration.cli import app as edi_commands
from o2c.ledger.cli import app as ledger_commands
from o2c.payments.plans_cli import app as payment_plan_commands
from o2c.subscriptions.cli import app as subscription_commands

COMMANDS: list[tuple[str, typer.Typer]] = [
    ("ledger", ledger_commands),
    ("cashapp", cashapp_commands),
    ("edi", edi_commands),
    ("disputes", disputes_commands),
    ("kpi", kpi_commands),
    ("analytics", analytics_commands),
    ("collections", collections_commands),
    ("credit", credit_commands),
    ("invoice", invoice_commands),
    ("jobs", jobs_commands),
    ("subscriptions", subscription_commands),
    ("payment-plans", payment_plan_commands),
]
