"""Every domain router the API mounts under /api/v1: one import and one list entry per domain."""

from __future__ import annotations

from fastapi import APIRouter

from o2c.analytics.api import router as analytics_router
from o2c.billing.api import router as billing_router
from o2c.cashapp.api import router as cashapp_router
from o2c.catalog.api import router as catalog_router
from o2c.collections.api import router as collections_router
from o2c.credit.api import router as credit_router
from o2c.disputes.api import router as disputes_router
from o2c.fraud.api import router as fraud_router
from o2c.integration.api import router as edi_router
from o2c.integration.export_api import router as export_router
from o2c.integration.webhook_api import router as webhook_router
from o2c.inventory.api import router as inventory_router
from o2c.jobs.api import router as jobs_router
from o2c.ledger.api import router as ledger_router
from o2c.orders.api import router as orders_router
from o2c.orders.credit_api import router as order_credit_router
from o2c.parties.api import router as parties_router
from o2c.parties.bank_changes_api import router as bank_changes_router
from o2c.payments.api import router as payments_router
from o2c.payments.plans_api import router as payment_plans_router
from o2c.payments.refund_requests_api import router as refund_requests_router
from o2c.returns.api import router as returns_router
from o2c.shipping.api import router as shipping_router
from o2c.subscriptions.api import router as subscriptions_router

ROUTERS: list[APIRouter] = [
    ledger_router,
    parties_router,
    bank_changes_router,
    catalog_router,
    inventory_router,
    orders_router,
    shipping_router,
    returns_router,
    billing_router,
    payments_router,
    disputes_router,
    cashapp_router,
    analytics_router,
    collections_router,
    credit_router,
    order_credit_router,
    jobs_router,
    edi_router,
    subscriptions_router,
    payment_plans_router,
    refund_requests_router,
    fraud_router,
    webhook_router,
    export_router,
]
