"""The processors' side door: signed webhooks arrive here, outside the API's caller auth.

`POST /gateway/{provider}/webhook` takes the raw body and the signature header; the provider
adapter checks the signature (401 problem when it does not match) before anything changes.
Which provider answers is the composition root's choice (`payment_provider` is its seam).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request

from o2c.db.deps import UowDep
from o2c.kernel.errors import Conflict, NotFound
from o2c.payments.checkout import receive_webhook
from o2c.payments.gateway import PaymentProvider

router = APIRouter(tags=["payment gateway"])


def payment_provider() -> PaymentProvider:
    """The processor payments are taken at; the composition root overrides this."""
    raise Conflict("no payment provider is configured")


ProviderDep = Annotated[PaymentProvider, Depends(payment_provider)]


@router.post("/gateway/{provider}/webhook", summary="Receive a processor's signed webhook")
async def post_webhook(
    provider: str,
    request: Request,
    uow: UowDep,
    gateway: ProviderDep,
    o2c_signature: Annotated[str, Header()] = "",
) -> dict[str, str]:
    """Verify and act on one event; a repeated delivery is accepted and changes nothing."""
    if provider != gateway.name:
        raise NotFound("payment provider", provider)
    body = await request.body()
    event = receive_webhook(uow, gateway, body, o2c_signature)
    return {"received": event.id}
