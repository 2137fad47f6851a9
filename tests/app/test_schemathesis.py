"""schemathesis against the live OpenAPI document, in process: every operation, a few
generated requests each, on a small demo company in SQLite. No response may be a server
error, and every response must match the schema the document declares for it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from o2c.app.api import create_app
from o2c.app.demo import load_demo
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import FrozenClock
from o2c.kernel.config import Settings
from o2c.security.credentials import CredentialKind, create_credential
from o2c.security.model import Role, system_actor
from o2c.security.service import list_companies
from tests.log_hygiene import remember_secret

TODAY = date(2026, 3, 2)
EXAMPLES = 4  # per operation: keeps the whole module near a minute


@dataclass(frozen=True)
class DemoApi:
    app: FastAPI
    headers: dict[str, str]


@pytest.fixture(scope="module")
def demo_api(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoApi]:
    """The real app over a small demo company, called with an admin API key."""
    path = tmp_path_factory.mktemp("schemathesis") / "o2c.db"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    load_demo(engine, today=TODAY, seed=7, scale=0.1, history_days=45)
    clock = FrozenClock(datetime(2026, 3, 2, 12, tzinfo=UTC))
    uow = UnitOfWork(session_factory(engine), clock)
    with uow:
        company_id = list_companies(uow)[0].id
    admin = system_actor(company_id, "schemathesis")
    key = create_credential(uow, admin, CredentialKind.API_KEY, "fuzz", {Role.ADMIN}).api_key
    settings_ = Settings(database_url=f"sqlite:///{path}")
    yield DemoApi(create_app(settings_, engine, clock), {"X-API-Key": remember_secret(key)})
    engine.dispose()


def exercise(operation: schemathesis.APIOperation, headers: dict[str, str]) -> None:
    """Send `EXAMPLES` generated requests to one operation; the first failure raises."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: schemathesis.Case) -> None:
        case.call_and_validate(
            headers=headers,
            checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
        )

    run()


def test_no_operation_answers_with_a_server_error_or_off_its_schema(demo_api: DemoApi) -> None:
    """Every operation is exercised; all failures are reported together, each with the
    request that caused it."""
    api = schemathesis.openapi.from_asgi("/openapi.json", demo_api.app)
    failures = []
    operations = [result.ok() for result in api.get_all_operations()]
    for operation in operations:
        try:
            exercise(operation, demo_api.headers)
        except (AssertionError, BaseExceptionGroup) as error:
            failures.append(f"{operation.label}: {error}")
    assert len(operations) > 100
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
