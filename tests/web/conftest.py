"""Browser tests: the real app served by uvicorn on loopback, driven by headless Chromium.

`live_server` seeds one SQLite database per test session (`tests/web/seed.py`, a few
seconds) and serves it on a free port with the clock frozen on the seed's day. `page` is a
fresh Playwright page (its own cookies) in Debian's Chromium; every page a test visits is
saved as a screenshot in `tests/web/artifacts/` (gitignored) once loaded; `helpers.shot`
saves one mid-test. `staff_page` starts signed in (one sign-in per session).
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from o2c.app.api import create_app
from o2c.app.schema import create_schema
from o2c.db.engine import make_engine
from o2c.kernel.clock import FrozenClock
from o2c.kernel.config import Settings
from tests.web.helpers import ARTIFACTS, shot, sign_in
from tests.web.seed import PASSWORD, STAFF_EMAIL, TODAY, Seeded, seed

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT = 20.0


@dataclass(frozen=True)
class LiveServer:
    url: str
    seeded: Seeded


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The seeded app on http://127.0.0.1:<free port>, for the whole test session."""
    path = tmp_path_factory.mktemp("web") / "o2c.db"
    engine = make_engine(f"sqlite:///{path}")
    create_schema(engine)
    seeded = seed(engine)
    clock = FrozenClock()
    clock.set_date(TODAY)
    settings = Settings(database_url=f"sqlite:///{path}", payment_provider="simulator")
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, engine, clock),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", seeded)
    server.should_exit = True
    thread.join(timeout=10)
    engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator[playwright_api.Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` (dev.py test does)")
    with playwright_api.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session", autouse=True)
def _artifacts() -> None:
    """Screenshots overwrite those of the same name (parallel workers share the folder)."""
    ARTIFACTS.mkdir(exist_ok=True)


def _open_page(
    browser: playwright_api.Browser,
    request: pytest.FixtureRequest,
    storage_state: Any = None,
) -> Iterator[playwright_api.Page]:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, storage_state=storage_state
    )
    context.set_default_timeout(10_000)
    opened = context.new_page()
    visits = 0

    def on_load(loaded: playwright_api.Page) -> None:
        nonlocal visits
        visits += 1
        path = re.sub(r"^https?://[^/]+", "", loaded.url).strip("/") or "root"
        shot(loaded, f"{request.node.name}-{visits:02d}-{path}")

    opened.on("load", on_load)
    yield opened
    context.close()


@pytest.fixture
def page(
    browser: playwright_api.Browser, request: pytest.FixtureRequest
) -> Iterator[playwright_api.Page]:
    """A new browser context and page; each page loaded is screenshotted as it finishes."""
    yield from _open_page(browser, request)


@pytest.fixture(scope="session")
def staff_session(browser: playwright_api.Browser, live_server: LiveServer) -> Any:
    """The cookies of one staff sign-in, shared by the tests that start signed in (a sign-in
    costs seconds of password hashing; tests that sign out sign in on their own)."""
    context = browser.new_context()
    signing_in = context.new_page()
    sign_in(signing_in, live_server.url, STAFF_EMAIL, PASSWORD)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def staff_page(
    browser: playwright_api.Browser,
    request: pytest.FixtureRequest,
    staff_session: Any,
) -> Iterator[playwright_api.Page]:
    """A blank page of a signed-in staff user (tests go to their page first)."""
    yield from _open_page(browser, request, staff_session)
