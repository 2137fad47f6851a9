from __future__ import annotations

import pytest


@pytest.fixture
def database(engine) -> str:
    """The URL of the test's database, for `o2c --database`."""
    return engine.url.render_as_string(hide_password=False)
