"""Customer CSV import: real files, every problem by line and column, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from o2c.catalog.service import PaymentTermMaker, find_payment_term, install_defaults
from o2c.kernel.errors import FileError, InvalidFile, PermissionDenied
from o2c.kernel.money import Money
from o2c.parties.contacts import list_bank_accounts
from o2c.parties.importing import import_customers
from o2c.parties.model import CustomerCreate
from o2c.parties.service import create_customer, customer_tree, find_customer
from o2c.parties.tables import Customer, CustomerBankAccount
from o2c.security.model import Actor, Role
from o2c.security.tables import AuditRecord

HEADER = "customer_id,name,iban,country,parent_id,currency,email,tax_id,credit_limit,payment_terms"


def a_file(tmp_path: Path, *lines: str, name: str = "customers.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def problems_of(uow, actor, path, **options) -> list[FileError]:
    with pytest.raises(InvalidFile) as caught:
        import_customers(uow, actor, path, **options)
    assert caught.value.path == str(path)
    return caught.value.problems


def stored(uow) -> tuple[int, int, int]:
    with uow:
        count = uow.session.scalar(select(func.count()).select_from(Customer))
        accounts = uow.session.scalar(select(func.count()).select_from(CustomerBankAccount))
        audits = uow.session.scalar(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.action == "customer.import")
        )
    return count, accounts, audits


@pytest.fixture
def terms(uow, actor):
    install_defaults(uow, actor)
    return PaymentTermMaker()


def test_a_clean_file_creates_customers_with_parents_in_any_order(uow, actor, tmp_path, terms):
    existing = create_customer(uow, actor, CustomerCreate("HQ", "Headquarters"))
    path = a_file(
        tmp_path,
        HEADER + ",segment,region",
        "C3,Shop Three,,de,C2,,,,,NET30,retail,",
        "C2,Branch Two,DE89 3704 0044 0532 0130 00,DE,HQ,EUR,ar@two.example,DE123,2500.50,NET45,"
        "wholesale,north",
        'C1,"Acme, Inc.",GB82WEST12345698765432,GB,,USD,,,1000,,,',
    )

    result = import_customers(uow, actor, path, terms=terms)

    assert (result.customers, result.bank_accounts, result.parents_linked) == (3, 2, 2)
    assert result.payment_terms_created == ["NET45"]
    c1, c2, c3 = (find_customer(uow, actor, code) for code in ("C1", "C2", "C3"))
    assert (c1.name, c1.currency, c1.credit_limit) == ("Acme, Inc.", "USD", Money(1000, "USD"))
    assert (c2.parent_id, c2.credit_limit, c2.payment_term) == (
        existing.id,
        Money("2500.50", "EUR"),
        "NET45",
    )
    assert (c3.parent_id, c3.country, c3.currency) == (c2.id, "DE", "EUR")
    assert c2.attributes == {"segment": "wholesale", "region": "north"}
    assert c3.attributes == {"segment": "retail"}
    assert [a.iban for a in list_bank_accounts(uow, actor, c2.id)] == ["DE89370400440532013000"]
    assert [c.code for c in customer_tree(uow, actor, existing.id).descendants] == ["C2", "C3"]
    assert find_payment_term(uow, actor.company_id, "NET45").days == 45


def test_one_audit_record_counts_the_whole_import(uow, actor, tmp_path, terms):
    path = a_file(tmp_path, "customer_id,name", "A,Alpha", "B,Beta")

    result = import_customers(uow, actor, path, terms=terms)

    with uow:
        [record] = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.entity == "customer_import")
        ).all()
        per_row = uow.session.scalar(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.action == "customer.create")
        )
    assert record.data["customers"] == 2
    assert record.data["sha256"] == result.sha256
    assert per_row == 0


def test_every_problem_is_reported_with_its_line_and_column(uow, actor, tmp_path, terms):
    path = a_file(
        tmp_path,
        HEADER,
        "C1,Good Row,DE89370400440532013000,DE,,,,,,",
        "C2,Bad IBAN,DE89370400440532013001,DE,,,,,,",
        "C3,Unknown Parent,,DE,NOPE,,,,,",
        "C1,Duplicate Code,,DE,,,,,,",
        "C4,Bad Decimal,,DE,,,,,12.3.4,",
        "C5,Too Precise,,DE,,,,,10.005,",
        ",No Code,,,,,,,,",
        "C6,,,XX1,,EUE,nobody,,,",
        "C7,Bad Term,,,,,,,,someday",
        "C8,Short Row",
    )

    problems = problems_of(uow, actor, path, terms=terms)

    assert [(p.line, p.field) for p in problems] == [
        (3, "iban"),
        (4, "parent_id"),
        (5, "customer_id"),
        (6, "credit_limit"),
        (7, "credit_limit"),
        (8, "customer_id"),
        (9, "country"),
        (9, "currency"),
        (9, "email"),
        (9, "name"),
        (10, "payment_terms"),
        (11, ""),
    ]
    reasons = {(p.line, p.field): p.reason for p in problems}
    assert reasons[3, "iban"] == "check digits do not match (mistyped IBAN?)"
    assert reasons[4, "parent_id"] == "unknown customer 'NOPE'"
    assert reasons[5, "customer_id"] == "duplicate of line 2"
    assert reasons[6, "credit_limit"] == "not a decimal number like 5000.00: '12.3.4'"
    assert reasons[7, "credit_limit"] == "more decimal places than EUR has (2)"
    assert reasons[8, "customer_id"] == "required"
    assert reasons[10, "payment_terms"].startswith("unknown payment term and not a term code")
    assert reasons[11, ""] == "has 2 fields, the header 10"
    assert stored(uow) == (0, 0, 0)


def test_a_missing_required_column_is_reported_on_the_header(uow, actor, tmp_path):
    path = a_file(tmp_path, "customer_id,iban,country", "C1,,DE")

    assert problems_of(uow, actor, path) == [FileError(1, "name", "required column missing")]


def test_codes_that_already_exist_are_reported_not_overwritten(uow, actor, tmp_path, terms):
    path = a_file(tmp_path, "customer_id,name", "A,Alpha", "B,Beta")
    import_customers(uow, actor, path, terms=terms)
    again = a_file(tmp_path, "customer_id,name", "C,Gamma", "A,Alpha Renamed", name="again.csv")

    problems = problems_of(uow, actor, again, terms=terms)

    assert problems == [FileError(3, "customer_id", "already exists")]
    assert find_customer(uow, actor, "A").name == "Alpha"
    assert stored(uow) == (2, 0, 1)


def test_a_parent_cycle_inside_the_file_is_refused(uow, actor, tmp_path):
    path = a_file(
        tmp_path, "customer_id,name,parent_id", "A,Alpha,B", "B,Beta,A", "C,Gamma,A", "D,Delta,D"
    )

    problems = problems_of(uow, actor, path)

    assert problems == [
        FileError(2, "parent_id", "hierarchy cycle A → B → A"),
        FileError(3, "parent_id", "hierarchy cycle B → A → B"),
        FileError(5, "parent_id", "hierarchy cycle D → D"),
    ]


def test_lines_are_counted_physically_across_quoted_line_breaks(uow, actor, tmp_path):
    path = a_file(
        tmp_path,
        "customer_id,name,email",
        'A,"Alpha',
        'Two Lines",ar@alpha.example',
        "B,Beta,not-an-email",
    )

    assert problems_of(uow, actor, path) == [FileError(4, "email", "not an email address")]


def test_without_a_term_maker_only_stored_terms_are_accepted(uow, actor, tmp_path, terms):
    path = a_file(tmp_path, "customer_id,name,payment_terms", "A,Alpha,NET30", "B,Beta,NET45")

    assert problems_of(uow, actor, path) == [
        FileError(3, "payment_terms", "unknown payment term: 'NET45'")
    ]


def test_text_input_and_a_byte_order_mark_are_accepted(uow, actor):
    result = import_customers(uow, actor, "\ufeffcustomer_id,name\r\nA,Alpha\r\n", name="upload")

    assert result.customers == 1
    assert find_customer(uow, actor, "A").name == "Alpha"


def test_a_file_that_is_not_utf8_is_refused(uow, actor, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("customer_id,name\nA,Müller\n".encode("latin-1"))

    assert problems_of(uow, actor, path) == [FileError(2, "", "not UTF-8 text")]


def test_importing_needs_import_and_master_data_rights(uow, actor, tmp_path):
    controller = Actor("ctl", actor.company_id, frozenset({Role.CONTROLLER}))

    with pytest.raises(PermissionDenied):
        import_customers(uow, controller, "customer_id,name\nA,Alpha\n")
