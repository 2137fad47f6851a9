"""Every domain's Typer sub-app the `o2c` CLI mounts: one import and one entry per domain.

Each entry is `(name, app)`; `o2c <name> ...` runs that domain's commands.
"""

from __future__ import annotations

import typer

from o2c.analytics.cli import analytics_app as analytics_commands
from o2c.analytics.cli import kpi_app as kpi_commands
from o2c.app.access_cli import api_keys as api_key_commands
from o2c.app.access_cli import oauth_clients as oauth_client_commands
from o2c.app.access_cli import users as user_commands
from o2c.app.audit_cli import app as audit_commands
from o2c.app.jobs_cli import app as jobs_commands
from o2c.billing.cli import app as invoice_commands
from o2c.cashapp.cli import app as cashapp_commands
from o2c.collections.cli import app as collections_commands
from o2c.credit.cli import app as credit_commands
from o2c.disputes.cli import app as disputes_commands
from o2c.fraud.cli import app as fraud_commands
from o2c.integration.cli import app as edi_commands
from o2c.integration.webhook_cli import app as webhook_commands
from o2c.ledger.cli import app as ledger_commands
from o2c.orders.credit_cli import app as order_credit_commands
from o2c.payments.plans_cli import app as payment_plan_commands
from o2c.payments.refunds_cli import app as refund_commands
from o2c.returns.cli import app as return_commands
from o2c.shipping.cli import app as picklist_commands
from o2c.subscriptions.cli import app as subscription_commands

COMMANDS: list[tuple[str, typer.Typer]] = [
    ("user", user_commands),
    ("apikey", api_key_commands),
    ("oauth-client", oauth_client_commands),
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
    ("refunds", refund_commands),
    ("rma", return_commands),
    ("picklist", picklist_commands),
    ("fraud", fraud_commands),
    ("audit", audit_commands),
    ("webhook", webhook_commands),
]

# Credit's commands that change orders live with orders (above credit); one `o2c credit` group.
credit_commands.add_typer(order_credit_commands)
