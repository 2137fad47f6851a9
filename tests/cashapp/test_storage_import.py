"""Real bank files import through `import_statement`, once: a second import adds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from o2c.cashapp.service import import_statement
from o2c.cashapp.tables import BankLineRow

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "bankfiles"
REAL = [
    "bai2/moov-io__bai2__sample1.txt",
    "camt053/OCA__bank-statement-import__test-camt053.xml",
    "camt053/genkgo__camt__camt053.v4.xml",
    "camt053/genkgo__camt__camt053.v2.multi.statement.xml",
]


def _lines(uow) -> int:
    with uow:
        return int(uow.session.scalar(select(func.count()).select_from(BankLineRow)) or 0)


@pytest.mark.parametrize("relative", REAL)
def test_real_file_imports_once(uow, actor, relative):
    path = DATA / relative
    if not path.is_file():
        pytest.skip(f"no shared bank file {path}")
    # given a real bank file
    data = path.read_bytes()
    # when it is imported twice
    first = import_statement(uow, actor, data, path.name)
    stored = _lines(uow)
    second = import_statement(uow, actor, data, path.name)
    # then its lines are stored once and the second import is reported as a duplicate
    assert first.new_lines == first.lines == stored > 0
    assert second.duplicate_file
    assert second.new_lines == 0
    assert _lines(uow) == stored
