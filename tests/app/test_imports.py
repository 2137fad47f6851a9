"""`o2c import ...`: a good file loads with a one-line summary, a bad one changes nothing."""

from __future__ import annotations

from tests.app.client import o2c

CUSTOMERS = "customer_id,name,country,payment_terms\nC1,Alpha GmbH,DE,NET45\nC2,Beta SARL,FR,\n"
OPEN_ITEMS = (
    "customer_id,invoice_number,issue_date,due_date,currency,amount,open_amount\n"
    "C1,OLD-1,2026-01-05,2026-02-04,EUR,119.00,119.00\n"
    "C2,OLD-2,2026-02-10,2026-03-12,EUR,200.00,50.00\n"
)


def test_customers_then_open_items_show_in_the_aging(database, actor, tmp_path):
    customers = tmp_path / "customers.csv"
    customers.write_text(CUSTOMERS)
    items = tmp_path / "open_items.csv"
    items.write_text(OPEN_ITEMS)

    loaded = o2c(database, "import", "customers", str(customers))
    opened = o2c(database, "import", "open-items", str(items))
    aging = o2c(database, "aging", "--as-of", "2026-03-02", "--format", "csv")

    assert loaded.exit_code == 0, loaded.output
    assert loaded.stdout.startswith("imported 2 customers")
    assert "new payment terms NET45" in loaded.stdout
    assert opened.stdout == "imported 2 invoices and 0 credit notes; open 169.00 EUR\n"
    assert aging.stdout.splitlines()[1:] == ["C1,EUR,1-30,119.00", "C2,EUR,current,50.00"]


def test_bad_file_lists_every_problem_and_changes_nothing(database, actor, tmp_path):
    bad = tmp_path / "customers.csv"
    bad.write_text("customer_id,name,currency\nC1,Alpha,EUR\n,Nameless,EUR\nC3,Gamma,XXX\n")

    result = o2c(database, "import", "customers", str(bad))
    retry = o2c(database, "import", "customers", str(bad))

    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"error: {bad}: line 3, field customer_id")
    assert lines[1].startswith(f"error: {bad}: line 4, field currency")
    assert retry.stderr == result.stderr


def test_missing_file_is_a_usage_error(database, actor, tmp_path):
    result = o2c(database, "import", "customers", str(tmp_path / "nowhere.csv"))

    assert result.exit_code == 2
