"""Alembic environment: runs against the engine the application hands over."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from o2c.app.schema import metadata
from o2c.db.base import UTCDateTime


def render_item(kind: str, item: Any, autogen: AutogenContext) -> str | Literal[False]:
    """Store aware instants as plain DateTime(timezone=True): the decorator is Python-side."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


config = context.config
engine = config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata(),
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
        include_object=config.attributes.get("include_object"),
    )
    context.run_migrations()
