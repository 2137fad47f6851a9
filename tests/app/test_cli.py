"""The `o2c` command line as a user and a script see it: output, errors and exit codes."""

from __future__ import annotations

from datetime import date

from o2c.security.service import list_companies
from tests.app.client import o2c
from tests.builders import a_customer, a_payment, an_invoice


def test_init_creates_the_company_once(database, uow):
    first = o2c(database, "init", "--company-code", "ACME", "--currency", "usd")
    second = o2c(database, "init", "--company-code", "OTHER")

    assert first.exit_code == 0, first.output
    assert "company ACME (USD) created" in first.output
    assert second.exit_code == 0, second.output
    assert "company ACME (USD) already set up" in second.output
    with uow:
        assert [c.code for c in list_companies(uow)] == ["ACME"]


def test_init_on_a_new_sqlite_file_creates_its_folder(tmp_path):
    result = o2c(f"sqlite:///{tmp_path / 'var' / 'o2c.db'}", "init")

    assert result.exit_code == 0, result.output
    assert "company DEMO (EUR) created" in result.output
    assert (tmp_path / "var" / "o2c.db").exists()


def test_aging_csv_prints_codes_and_plain_decimal_amounts(database, uow, actor):
    c1 = a_customer(uow, actor, code="C1")
    c2 = a_customer(uow, actor, code="C2")
    c3 = a_customer(uow, actor, code="C3", currency="JPY")
    an_invoice(uow, actor, c2, "1234.50", on=date(2026, 1, 10), days=30)
    an_invoice(uow, actor, c1, "100.00", on=date(2026, 2, 20), days=30)
    an_invoice(uow, actor, c1, "50.00", on=date(2025, 11, 1), days=30)
    an_invoice(uow, actor, c3, "5000", currency="JPY", on=date(2026, 2, 1), days=0, base=3000)

    result = o2c(database, "aging", "--as-of", "2026-03-02", "--format", "csv")

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "customer_id,currency,bucket,amount\n"
        "C1,EUR,current,100.00\n"
        "C1,EUR,90+,50.00\n"
        "C2,EUR,1-30,1234.50\n"
        "C3,JPY,1-30,5000\n"
    )


def test_aging_of_a_past_date_ignores_later_payments(database, uow, actor):
    from o2c.ledger.service import ApplyCommand, apply_items

    customer = a_customer(uow, actor, code="C1")
    invoice = an_invoice(uow, actor, customer, "100.00", on=date(2026, 1, 1), days=30)
    payment = a_payment(uow, actor, customer, "100.00", on=date(2026, 3, 15))
    apply_items(
        uow, actor, [ApplyCommand(invoice.item_id, payment.item_id, 10000, date(2026, 3, 15))]
    )

    before = o2c(database, "aging", "--as-of", "2026-03-10", "--format", "csv")
    after = o2c(database, "aging", "--as-of", "2026-03-20", "--format", "csv")

    assert before.stdout.splitlines()[1:] == ["C1,EUR,31-60,100.00"]
    assert after.stdout.splitlines()[1:] == []


def test_aging_uses_the_configured_bucket_names(database, uow, actor):
    customer = a_customer(uow, actor, code="C1")
    an_invoice(uow, actor, customer, "10.00", on=date(2025, 11, 1), days=30)

    result = o2c(
        database,
        "aging",
        "--as-of",
        "2026-03-02",
        "--format",
        "json",
        "--buckets",
        "current,1-60,60+",
    )

    assert result.exit_code == 0, result.output
    assert '"buckets": [\n    "current",\n    "1-60",\n    "60+"\n  ]' in result.stdout
    assert '"bucket": "60+"' in result.stdout


def test_aging_table_shows_each_customer(database, uow, actor):
    customer = a_customer(uow, actor, code="ACME-42")
    an_invoice(uow, actor, customer, "12.34", on=date(2026, 2, 20))

    result = o2c(database, "aging", "--as-of", "2026-03-02")

    assert result.exit_code == 0, result.output
    assert "ACME-42" in result.stdout
    assert "12.34" in result.stdout


def test_statement_by_customer_code(database, uow, actor):
    customer = a_customer(uow, actor, code="C9")
    an_invoice(uow, actor, customer, "40.00", on=date(2026, 2, 5), number="INV-77")

    result = o2c(database, "statement", "C9", "--from", "2026-02-01", "--to", "2026-02-28")

    assert result.exit_code == 0, result.output
    assert "INV-77" in result.stdout
    assert "Closing balance: 40.00 EUR" in result.stdout


def test_unknown_customer_is_one_error_line_and_exit_1(database, actor):
    result = o2c(database, "statement", "NOPE", "--from", "2026-02-01", "--to", "2026-02-28")

    assert result.exit_code == 1
    assert result.stderr == "error: customer NOPE not found\n"
    assert "Traceback" not in result.output


def test_uninitialised_database_says_so_without_a_traceback(tmp_path):
    result = o2c(f"sqlite:///{tmp_path / 'blank.db'}", "trial-balance", "--as-of", "2026-01-01")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: database")
    assert "o2c init" in result.stderr


def test_bad_date_is_a_usage_error(database):
    result = o2c(database, "aging", "--as-of", "2026-13-01")

    assert result.exit_code == 2


def test_trial_balance_prints_totals(database, uow, actor):
    customer = a_customer(uow, actor, code="C1")
    an_invoice(uow, actor, customer, "75.00")

    result = o2c(database, "trial-balance", "--as-of", "2026-03-02")

    assert result.exit_code == 0, result.output
    assert "Sales revenue" in result.stdout
    assert "75.00" in result.stdout


def test_ledger_commands_close_the_period_and_record_rates(database, uow, actor):
    closed = o2c(database, "ledger", "close-period", "--through", "2026-01-31")
    rate = o2c(database, "ledger", "fx-rate", "usd", "0.92", "--from", "2026-01-01")
    accounts = o2c(database, "ledger", "accounts")

    assert closed.stdout == "books locked through 2026-01-31\n"
    assert rate.stdout == "USD = 0.92 from 2026-01-01\n"
    assert "Accounts receivable (control)" in accounts.stdout


def test_a_refused_command_reports_the_rule(database, actor):
    o2c(database, "ledger", "close-period", "--through", "2026-01-31")

    result = o2c(database, "ledger", "close-period", "--through", "2026-01-15")

    assert result.exit_code == 1
    assert result.stderr.startswith("error: books are already locked through 2026-01-31")
