"""Per request, whether sensitive fields are shown in full: the actor's `sensitive.read`.

The flag is a context variable read when the response is serialised. FastAPI runs plain
(sync) dependencies in a worker thread whose context changes are lost, so the flag is set
by an async wrapper around the actor dependency, in the request's own task. (The wrapper
names its dependency by default value: an annotation could not refer to a closure's name.)
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Depends

from o2c.kernel.masking import reveal_sensitive
from o2c.security.model import Actor, Permission


def revealing(
    resolve_actor: Callable[..., Any],
) -> Callable[[Actor], Coroutine[Any, Any, Actor]]:
    """The actor dependency `resolve_actor`, also deciding what the response may show."""

    async def actor_revealing(actor: Actor = Depends(resolve_actor)) -> Actor:
        reveal_sensitive.set(actor.can(Permission.SENSITIVE_READ))
        return actor

    return actor_revealing
