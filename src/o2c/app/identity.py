"""Who an API request acts as: until user accounts arrive, a system actor of one company.

The company is chosen by the `X-Company` header (its code), defaulting to the first company
of the installation. When `O2C_API_KEY` is set every request must present it in `X-API-Key`;
without it the API trusts its network, which is why `o2c serve` binds to 127.0.0.1.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Header, HTTPException, Request

from o2c.db.deps import UowDep
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import NotFound
from o2c.security.model import Actor, system_actor
from o2c.security.service import find_company, list_companies

ActorResolver = Callable[..., Actor]


def company_id_for(uow: UnitOfWork, code: str | None) -> int:
    """The company named by `code`, or the first one when no code is given."""
    with uow:
        if code:
            return find_company(uow, code).id
        companies = list_companies(uow)
    if not companies:
        raise NotFound("company", "(none yet: run `o2c init`)")
    return companies[0].id


def actor_resolver(api_key: str | None) -> ActorResolver:
    """The `get_actor` dependency of an app: checks the key, then picks the company."""

    def resolve_actor(
        request: Request,
        uow: UowDep,
        x_company: Annotated[str | None, Header(max_length=40)] = None,
        x_api_key: Annotated[str | None, Header()] = None,
    ) -> Actor:
        if api_key is not None and not (
            x_api_key is not None and hmac.compare_digest(x_api_key.encode(), api_key.encode())
        ):
            raise HTTPException(401, "a valid X-API-Key header is required")
        client = request.client.host if request.client else "unknown"
        return system_actor(company_id_for(uow, x_company), f"api@{client}")

    return resolve_actor
