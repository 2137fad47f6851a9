"""After a payment: queue a credit reassessment of the payers (score, then held orders).

Payments sit above credit but below disputes and collections, whose figures the score
needs, so the payment's transaction only queues a job; the job (in the composition root)
rescores the customers and releases their held orders that now pass.
"""

from __future__ import annotations

from collections.abc import Collection

from o2c.db.uow import UnitOfWork
from o2c.jobs.service import enqueue

REASSESS = "credit.reassess"


def queue_reassessment(
    uow: UnitOfWork, company_id: int, customer_ids: Collection[int], key: str
) -> None:
    """Queue one job for these customers, in the caller's transaction; `key` makes it once."""
    if customer_ids:
        enqueue(uow, company_id, REASSESS, key, {"customer_ids": sorted(set(customer_ids))})
