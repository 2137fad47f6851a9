"""The migrations build exactly the schema the code declares, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from o2c.app.schema import MIGRATIONS, metadata


def test_migrations_exist_and_match_the_declared_schema(engine):
    assert list((MIGRATIONS / "versions").glob("*.py")), "no migration: o2c init would fail"

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata())

    assert differences == []
