"""The simulated processor's 3-D Secure page, at `/gateway/sim/challenge/{intent}`.

A real processor shows this page on its own site (or the card issuer's); the simulator has
no site, so o2c serves it for it. The customer approves or refuses, the processor decides
and sends its webhook, and the browser goes back to the page the checkout named.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from o2c.kernel.errors import NotFound
from o2c.payments.gateway import IntentStatus
from o2c.payments.gateway_api import ProviderDep
from o2c.payments.gateway_sim import CHALLENGE_PATH, SimulatedProcessor
from o2c.web.rendering import redirect, render

router = APIRouter(prefix=CHALLENGE_PATH, include_in_schema=False)


def _simulator(gateway: object) -> SimulatedProcessor:
    if not isinstance(gateway, SimulatedProcessor):
        raise NotFound("3-D Secure page", "of this processor")
    return gateway


@router.get("/{intent_id}", response_class=HTMLResponse)
def challenge(request: Request, gateway: ProviderDep, intent_id: str) -> HTMLResponse:
    intent = _simulator(gateway).get_intent(intent_id)
    context = {
        "title": "Confirm your payment",
        "area_name": "Card issuer (simulated)",
        "nav": (),
        "user_name": "",
        "intent": intent,
        "waiting": intent.status is IntentStatus.REQUIRES_ACTION,
    }
    return render(request, "gateway/challenge.html", context)


@router.post("/{intent_id}")
def answer(
    gateway: ProviderDep, intent_id: str, decision: Annotated[str, Form(max_length=10)]
) -> RedirectResponse:
    """The card holder's answer; the return address is the one the checkout gave."""
    simulator = _simulator(gateway)
    simulator.complete_challenge(intent_id, passed=decision == "approve")
    back = simulator.return_url(intent_id)
    return redirect(back if back.startswith(("http://", "https://", "/")) else "/portal/")
