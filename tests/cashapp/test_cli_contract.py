"""The contract scripts rely on: init, import, cashapp import/match/export, on both backends."""

from __future__ import annotations

import csv
from pathlib import Path

from o2c.cashapp.service import EXPORT_HEADER
from tests.app.client import o2c
from tests.invariants import check_ledger

FILES = Path(__file__).with_name("files")


def _set_up(database: str) -> None:
    for args in (
        ("init",),
        ("import", "customers", str(FILES / "customers.csv")),
        ("import", "open-items", str(FILES / "open_items.csv")),
    ):
        result = o2c(database, *args)
        assert result.exit_code == 0, result.output


def _export(database: str, tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / "out.csv"
    result = o2c(database, "cashapp", "export", str(out))
    assert result.exit_code == 0, result.output
    with out.open(newline="") as handle:
        assert handle.readline().strip() == ",".join(EXPORT_HEADER)
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_contract_sequence_applies_references_and_exports_every_line(database, tmp_path):
    # given a fresh database with customers and open items
    _set_up(database)
    # when a BAI2 and a camt.053 statement are imported, matched and exported
    imported = [
        o2c(database, "cashapp", "import", str(FILES / name))
        for name in ("contract.bai", "contract.camt053.xml")
    ]
    matched = o2c(database, "cashapp", "match")
    rows = _export(database, tmp_path)
    # then every bank line has a row, applied ones one per invoice, with reasons
    assert [r.exit_code for r in imported] == [0, 0], [r.output for r in imported]
    assert matched.exit_code == 0, matched.output
    by_ref = {(r["line_ref"], r["invoice_number"]): r for r in rows}
    assert [r["line_ref"] for r in rows] == [
        "BAI-0001",
        "BAI-0002",
        "BAI-0003",
        "CAMT-0001",
        "CAMT-0002",
    ]
    first = by_ref[("BAI-0001", "INV-2026-000101")]
    assert (first["amount_applied"], first["status"]) == ("119.00", "applied")
    assert by_ref[("BAI-0002", "INV-2026-000201")]["status"] == "applied"
    assert by_ref[("BAI-0003", "")]["status"] == "unmatched"
    short = by_ref[("CAMT-0001", "INV-2026-000301")]
    assert (short["amount_applied"], short["status"]) == ("455.00", "deduction")
    assert "damaged" in short["reason"].lower()
    assert by_ref[("CAMT-0002", "")]["status"] == "unmatched"
    assert all(r["reason"] for r in rows)


def test_importing_the_same_file_again_imports_nothing_new(database):
    # given a statement already imported
    _set_up(database)
    first = o2c(database, "cashapp", "import", str(FILES / "contract.bai"))
    # when it is imported again
    again = o2c(database, "cashapp", "import", str(FILES / "contract.bai"))
    # then nothing new is stored and the user is told so
    assert first.stdout.startswith("imported bai2: 1 statements, 3 new lines")
    assert again.exit_code == 0
    assert "already imported, nothing new" in again.stdout


def test_a_bad_file_is_refused_with_its_line_and_nothing_is_written(database, tmp_path):
    # given a BAI2 file whose trailer disagrees with its records
    _set_up(database)
    bad = tmp_path / "bad.bai"
    bad.write_text((FILES / "contract.bai").read_text().replace("99,34400", "99,34401"))
    # when it is imported
    result = o2c(database, "cashapp", "import", str(bad))
    rows = _export(database, tmp_path)
    # then it is refused with the record named, and no line was stored
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {bad}: line 9")
    assert rows == []


def test_a_match_run_keeps_the_ledger_balanced(database, uow, actor, tmp_path):
    # given the contract files matched (on the test company's own database)
    _set_up(database)
    for name in ("contract.bai", "contract.camt053.xml"):
        o2c(database, "cashapp", "import", str(FILES / name))
    o2c(database, "cashapp", "match")
    # then every entry balances and the subledger agrees with the control accounts
    check_ledger(uow, actor)
