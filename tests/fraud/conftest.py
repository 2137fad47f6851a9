from __future__ import annotations

import pytest

from tests.builders import a_customer

pytestmark = pytest.mark.storage


@pytest.fixture
def customer(uow, actor) -> int:
    return a_customer(uow, actor, "C1")
