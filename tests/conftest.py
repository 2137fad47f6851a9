"""Test fixtures: every storage-facing test runs on SQLite and on PostgreSQL.

PostgreSQL is taken from O2C_TEST_POSTGRES_URL (default: the local server at 127.0.0.1:5432,
user postgres). When no server answers, the PostgreSQL half is skipped and the run says so
loudly at the start and at the end; the SQLite half always runs. The database is never mocked.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest
from argon2.profiles import CHEAPEST
from sqlalchemy import Engine, text

from o2c.app.schema import create_schema, metadata
from o2c.db.engine import make_engine, session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.clock import FrozenClock
from o2c.ledger.service import install_chart
from o2c.security.hashing import set_password_cost
from o2c.security.model import Actor, system_actor
from o2c.security.service import create_company
from tests.log_hygiene import SECRETS, captured_logs, leaks

ADMIN_URL = os.environ.get("O2C_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ("sqlite", "postgresql")
_pg_status: dict[str, str | None] = {}
# The suite checks what passwords do, not how costly guessing them is.
set_password_cost(CHEAPEST)


def postgres_problem() -> str | None:
    """None when PostgreSQL answers, else why not (asked once per process)."""
    if "problem" not in _pg_status:
        try:
            with psycopg.connect(ADMIN_URL, connect_timeout=3) as conn:
                conn.execute("select 1")
            _pg_status["problem"] = None
        except psycopg.Error as exc:
            _pg_status["problem"] = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
    return _pg_status["problem"]


_LOUD = (
    "PostgreSQL NOT AVAILABLE at {url} ({why}): "
    "the PostgreSQL half of the storage tests is SKIPPED; only SQLite runs."
)


def pytest_report_header() -> str:
    problem = postgres_problem()
    if problem:
        return "!" * 100 + "\n" + _LOUD.format(url=ADMIN_URL, why=problem) + "\n" + "!" * 100
    return f"storage backends: sqlite, postgresql ({ADMIN_URL})"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    problem = postgres_problem()
    if problem:
        terminalreporter.section("PostgreSQL missing", sep="!", red=True, bold=True)
        terminalreporter.write_line(_LOUD.format(url=ADMIN_URL, why=problem), red=True, bold=True)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        metafunc.parametrize("backend", BACKENDS, scope="session")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    problem = postgres_problem()
    if problem:
        pytest.skip(_LOUD.format(url=ADMIN_URL, why=problem))
    name = f"o2c_test_{_worker()}_{os.getpid()}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url, pool_size=10)
    create_schema(engine)
    yield engine
    engine.dispose()
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in metadata().sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A fresh, empty, fully migrated database on `backend`."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "o2c.db"
        shutil.copyfile(template, path)
        sqlite_engine = make_engine(f"sqlite:///{path}")
        yield sqlite_engine
        sqlite_engine.dispose()
    else:
        pg: Engine = request.getfixturevalue("postgres_engine")
        _truncate_all(pg)
        yield pg


@pytest.fixture
def database(engine: Engine) -> str:
    """The URL of the test's database, for `o2c --database` in CLI tests."""
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def uow(engine: Engine, clock: FrozenClock) -> UnitOfWork:
    return UnitOfWork(session_factory(engine), clock)


@pytest.fixture
def actor(uow: UnitOfWork) -> Actor:
    """Admin of a fresh company (EUR, default chart)."""
    with uow:
        company = create_company(uow, "ACME", "Acme Supplies GmbH", "EUR", tax_id="DE123456789")
        uow.commit()
    install_chart(uow, company.id)
    return system_actor(company.id, "tester")


@pytest.fixture
def today(clock: FrozenClock) -> date:
    return clock.today()


@pytest.fixture(scope="session", autouse=True)
def log_hygiene() -> Iterator[None]:
    """Fails the session, naming each line, if anything logged gave away a full IBAN, an
    argon2 hash or a secret a test registered (`tests.log_hygiene.remember_secret`)."""
    with captured_logs() as stream:
        yield
    found = leaks(stream.getvalue().splitlines(), SECRETS)
    if found:
        pytest.fail("sensitive data in the logs:\n" + "\n".join(found), pytrace=False)
