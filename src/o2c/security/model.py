"""Actors, roles and permissions: checked in services so API, CLI, web and jobs obey one rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from o2c.kernel.errors import NotFound, PermissionDenied


class Permission(StrEnum):
    MASTER_DATA_WRITE = "master_data.write"
    ORDER_WRITE = "order.write"
    SHIPMENT_WRITE = "shipment.write"
    INVOICE_POST = "invoice.post"
    PAYMENT_POST = "payment.post"
    PAYMENT_APPLY = "payment.apply"
    REFUND_ISSUE = "refund.issue"
    REFUND_APPROVE = "refund.approve"
    WRITE_OFF = "write_off"
    PERIOD_CLOSE = "period.close"
    LEDGER_READ = "ledger.read"
    IMPORT_DATA = "import.data"
    COMPANY_ADMIN = "company.admin"
    DISPUTE_MANAGE = "dispute.manage"
    WRITE_OFF_APPROVE = "write_off.approve"
    COLLECTIONS_RUN = "collections.run"
    COLLECTIONS_WORK = "collections.work"
    STRATEGY_MANAGE = "collections.strategy"
    CREDIT_HOLD = "credit.hold"
    FRAUD_READ = "fraud.read"
    FRAUD_REVIEW = "fraud.review"
    SENSITIVE_READ = "sensitive.read"
    AUDIT_READ = "audit.read"
    WEBHOOK_MANAGE = "webhook.manage"


class Role(StrEnum):
    ADMIN = "admin"
    AR_CLERK = "ar_clerk"
    CASH_APPLIER = "cash_applier"
    COLLECTOR = "collector"
    CREDIT_MANAGER = "credit_manager"
    CONTROLLER = "controller"
    AUDITOR = "auditor"
    CUSTOMER = "customer"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.AR_CLERK: frozenset(
        {
            P.MASTER_DATA_WRITE,
            P.ORDER_WRITE,
            P.SHIPMENT_WRITE,
            P.INVOICE_POST,
            P.PAYMENT_POST,
            P.PAYMENT_APPLY,
            P.LEDGER_READ,
            P.IMPORT_DATA,
            P.DISPUTE_MANAGE,
            P.SENSITIVE_READ,
        }
    ),
    Role.CASH_APPLIER: frozenset({P.PAYMENT_POST, P.PAYMENT_APPLY, P.LEDGER_READ}),
    Role.COLLECTOR: frozenset({P.LEDGER_READ, P.COLLECTIONS_WORK, P.DISPUTE_MANAGE}),
    Role.CREDIT_MANAGER: frozenset(
        {
            P.LEDGER_READ,
            P.ORDER_WRITE,
            P.COLLECTIONS_RUN,
            P.COLLECTIONS_WORK,
            P.STRATEGY_MANAGE,
            P.CREDIT_HOLD,
        }
    ),
    Role.CONTROLLER: frozenset(
        {
            P.LEDGER_READ,
            P.PERIOD_CLOSE,
            P.WRITE_OFF,
            P.REFUND_ISSUE,
            P.IMPORT_DATA,
            P.PAYMENT_APPLY,
            P.DISPUTE_MANAGE,
            P.WRITE_OFF_APPROVE,
            P.REFUND_APPROVE,
            P.AUDIT_READ,
            P.FRAUD_READ,
            P.FRAUD_REVIEW,
            P.SENSITIVE_READ,
        }
    ),
    Role.AUDITOR: frozenset({P.LEDGER_READ, P.AUDIT_READ, P.FRAUD_READ}),
    # A portal user reads its own customer's documents; services narrow every read to
    # `Actor.customer_id` through `require_customer_scope`.
    Role.CUSTOMER: frozenset({P.LEDGER_READ}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting, for which company: carried into every service call and audit record."""

    name: str
    company_id: int
    roles: frozenset[Role] = field(default_factory=lambda: frozenset({Role.ADMIN}))
    user_id: int | None = None
    # Set for portal users: the one customer whose data this actor may see.
    customer_id: int | None = None

    def can(self, permission: Permission) -> bool:
        return any(permission in ROLE_PERMISSIONS[role] for role in self.roles)

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(f"{self.name} lacks permission {permission.value}")

    def require_customer_scope(
        self, customer_id: int | None, entity: str | None = None, key: object = None
    ) -> None:
        """Refuse a customer-bound actor (portal user) anything about another customer.

        Services call it with the customer of the row they are about to return. Given the
        `entity` and `key` it was asked by, the refusal is that row's `NotFound`, so a portal
        user cannot even learn that another customer's id exists.
        """
        if self.customer_id is not None and customer_id != self.customer_id:
            if entity is not None:
                raise NotFound(entity, key)
            raise PermissionDenied(f"{self.name} may only see customer {self.customer_id}")

    def customer_filter(self, customer_id: int | None) -> int | None:
        """The customer a listing is narrowed to: the one asked for, or the portal user's own."""
        if self.customer_id is None:
            return customer_id
        self.require_customer_scope(customer_id if customer_id is not None else self.customer_id)
        return self.customer_id


def require_different(requester: str, approver: Actor, what: str) -> None:
    """Segregation of duties: whoever requested `what` may not also approve it."""
    if requester.strip().casefold() == approver.name.strip().casefold():
        raise PermissionDenied(f"{approver.name} requested {what} and cannot also approve it")


def system_actor(company_id: int, name: str = "system") -> Actor:
    """The actor for CLI and scheduled jobs run by the operator of the installation."""
    return Actor(name=name, company_id=company_id, roles=frozenset({Role.ADMIN}))
