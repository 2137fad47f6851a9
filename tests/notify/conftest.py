from __future__ import annotations

import pytest

from tests.notify.smtpd import Server, smtp_server


@pytest.fixture
def smtp() -> Server:
    with smtp_server() as server:
        yield server
