"""`o2c invoice list|export` and GET /invoices/{number}/document, as scripts use them."""

from __future__ import annotations

import csv
import io

import pytest
from pypdf import PdfReader

from o2c.billing.presentment import LIST_HEADER, get_letterhead
from tests.app.client import api_client, o2c
from tests.billing.presentment_builders import LOGO, Documents, the_documents
from tests.einvoice_validator import EINVOICE, assert_valid, validate_ubl


@pytest.fixture
def docs(uow, actor) -> Documents:
    return the_documents(uow, actor)


def test_invoice_list_csv_has_the_contract_header_and_one_row_per_document(database, docs):
    result = o2c(database, "invoice", "list", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == LIST_HEADER == (
        "invoice_number", "customer_id", "issue_date", "due_date", "currency", "total",
        "open_amount", "kind",
    )  # fmt: skip
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number[docs.hard.number] == [
        docs.hard.number, "K1", "2026-02-10", "2026-02-10", "EUR", "889.04", "47.91", "invoice"
    ]  # fmt: skip
    assert by_number[docs.credit_note.number][-1] == "credit_note"
    assert by_number[docs.usd.number][1:6] == ["US1", "2026-02-12", "2026-02-12", "USD", "162.02"]


@pytest.mark.parametrize("fmt", ["pdf", "ubl", "cii", "facturx"])
def test_invoice_export_writes_the_file_in_each_format(database, docs, tmp_path, fmt):
    out = tmp_path / f"doc.{fmt}"
    result = o2c(database, "invoice", "export", docs.hard.number, "--format", fmt, "--out",
                 str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    content = out.read_bytes()
    if fmt in ("pdf", "facturx"):
        assert "889,04" in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    else:
        assert b"889.04" in content


def test_exporting_an_unknown_number_fails_with_a_message(database, docs, tmp_path):
    result = o2c(database, "invoice", "export", "INV-1999-000001", "--format", "ubl", "--out",
                 str(tmp_path / "x.xml"))  # fmt: skip
    assert result.exit_code != 0
    assert "INV-1999-000001" in result.output
    assert not (tmp_path / "x.xml").exists()


def test_the_api_serves_the_ubl_and_the_pdf_of_a_posted_invoice(engine, clock, docs):
    client = api_client(engine, clock)
    response = client.get(f"/api/v1/invoices/{docs.credit_note.number}/document",
                          params={"format": "ubl"})  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    assert docs.credit_note.number in response.headers["content-disposition"]
    if EINVOICE.is_dir():  # the official rules, where ../shared is beside the repository
        assert_valid(validate_ubl(response.content))
    pdf = client.get(f"/api/v1/invoices/{docs.hard.number}/document")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")


def test_the_api_answers_404_for_an_unknown_number_and_422_for_an_unknown_format(
    engine, clock, docs
):
    client = api_client(engine, clock)
    missing = client.get("/api/v1/invoices/INV-1999-000001/document", params={"format": "ubl"})
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    wrong = client.get(f"/api/v1/invoices/{docs.hard.number}/document", params={"format": "doc"})
    assert wrong.status_code == 422


def test_the_letterhead_command_sets_what_invoices_print(database, uow, actor, tmp_path):
    # given a company without letterhead and a PNG logo
    logo = tmp_path / "logo.png"
    logo.write_bytes(LOGO)
    # when its letterhead is set from the command line
    result = o2c(database, "invoice", "letterhead", "--legal-name", "Acme Supplies GmbH",
                 "--street", "Industriestraße 7", "--city", "Hamburg", "--country", "de",
                 "--iban", "DE89 3704 0044 0532 0130 00", "--vat-id", "DE123456789",
                 "--peppol-id", "9930:DE123456789", "--logo", str(logo))  # fmt: skip
    # then it is stored, the IBAN compacted and the Peppol address split
    assert result.exit_code == 0, result.output
    head = get_letterhead(uow, actor)
    assert (head.iban, head.country, head.endpoint_scheme, head.endpoint_id) == (
        "DE89370400440532013000", "DE", "9930", "DE123456789"
    )  # fmt: skip
    assert head.logo_png == LOGO


def test_the_letterhead_command_reports_an_invalid_iban(database, actor):
    result = o2c(database, "invoice", "letterhead", "--legal-name", "X", "--street", "S",
                 "--city", "C", "--country", "DE", "--iban", "DE00123")  # fmt: skip
    assert result.exit_code != 0
    assert "iban" in result.output
