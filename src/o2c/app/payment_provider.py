"""Which payment processor o2c takes payments at, wired into the app.

The built-in simulated processor (`payments.gateway_sim`) lives in the server process, with a
fresh webhook secret per process, and learns o2c's address from the first request that uses
it, so its webhooks reach this server over HTTP. A real provider's adapter implements
`PaymentProvider` (and `PaymentGateway` for autopay) and is installed here instead.
"""

from __future__ import annotations

import secrets

from fastapi import FastAPI, Request

from o2c.kernel.clock import Clock
from o2c.payments.gateway import PaymentGateway, PaymentProvider
from o2c.payments.gateway_api import payment_provider
from o2c.payments.gateway_api import router as webhook_router
from o2c.payments.gateway_sim import SimulatedProcessor, with_public_url
from o2c.payments.plans_api import payment_gateway
from o2c.web.gateway.challenge import router as challenge_router


def install_payment_provider(app: FastAPI, clock: Clock) -> SimulatedProcessor:
    """Take payments at the simulated processor; returns it (tests drive its settlement)."""
    processor = SimulatedProcessor(clock, secrets.token_hex(32))

    def provider(request: Request) -> PaymentProvider:
        return with_public_url(processor, str(request.base_url))

    def gateway(request: Request) -> PaymentGateway:
        return with_public_url(processor, str(request.base_url))

    app.state.payment_provider = processor
    app.dependency_overrides[payment_provider] = provider
    app.dependency_overrides[payment_gateway] = gateway
    app.include_router(webhook_router)
    app.include_router(challenge_router)
    return processor
