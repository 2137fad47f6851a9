"""The story of issue 9, end to end in a real browser: a customer pays two invoices, fetches
a PDF and raises a dispute at the portal; a collector sees the dispute and records a call and
a promise; a cash applier resolves an exception; the dashboard shows the new figures."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from tests.web.helpers import sign_in
from tests.web.seed import PASSWORD, PORTAL_EMAIL, TODAY


def _amount(text: str) -> Decimal:
    """'1,234.50 EUR' -> Decimal('1234.50')."""
    return Decimal(text.split()[0].replace(",", ""))


def _ar_open(page: Page, url: str) -> Decimal:
    """Open AR as the JSON API reports it to the signed-in staff user."""
    kpi = page.request.get(f"{url}/api/v1/kpi")
    assert kpi.ok, kpi.text()
    return Decimal(kpi.json()["ar_open"])


def _camt(ref: str, amount: Decimal, payer: str, text: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>{ref}</MsgId><CreDtTm>{TODAY}T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-{ref}</Id><CreDtTm>{TODAY}T08:00:00</CreDtTm>
<Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>{TODAY}</Dt></BookgDt><ValDt><Dt>{TODAY}</Dt></ValDt>
<AcctSvcrRef>{ref}</AcctSvcrRef><BkTxCd/><NtryDtls><TxDtls><Refs><AcctSvcrRef>{ref}</AcctSvcrRef>
</Refs><RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>{text}</Ustrd>
</RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>"""


def test_issue_9_story(page: Page, staff_page: Page, live_server) -> None:
    url = live_server.url
    ar_before = _ar_open(staff_page, url)

    # a customer signs in at the portal and pays two invoices in full by card
    sign_in(page, url, PORTAL_EMAIL, PASSWORD, area="portal")
    customer = page.locator(".site-user span").inner_text().split(" · ", 1)[1]
    page.goto(f"{url}/portal/pay")
    rows = page.locator("main table tbody tr")
    assert rows.count() >= 3, "the story needs three open invoices of the portal customer"
    paid = []
    for index in range(2):
        row = rows.nth(index)
        row.get_by_role("checkbox").check()
        paid.append(_amount(row.locator("input[inputmode='decimal']").input_value()))
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/30")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Pay now").click()
    expect(page.get_by_role("status")).to_contain_text("your payment was received and applied")
    page.goto(f"{url}/portal/payments")
    expect(page.locator("main")).to_contain_text(f"{sum(paid):,.2f} EUR")

    # ... downloads the PDF of an invoice still open
    page.goto(f"{url}/portal/invoices")
    still_open = page.locator("main table tbody tr").first
    number = still_open.locator("td").first.inner_text()
    open_amount = _amount(still_open.locator("td.num").nth(1).inner_text())
    with page.expect_download() as download:
        still_open.get_by_role("link", name=re.compile("PDF")).click()
    assert download.value.suggested_filename == f"{number}.pdf"
    assert download.value.path().read_bytes()[:5] == b"%PDF-"

    # ... and raises a dispute on it, with a comment and a file
    still_open.get_by_role("link", name=number, exact=True).click()
    page.get_by_role("link", name="Raise a dispute").click()
    page.get_by_label("Reason").select_option("damaged")
    page.get_by_label("Amount in dispute").fill("10.00")
    page.get_by_label("What is wrong?").fill("Two boxes arrived crushed")
    page.get_by_label(re.compile("Attachment")).set_input_files(
        {"name": "photo-notes.txt", "mimeType": "text/plain", "buffer": b"boxes 3 and 4 crushed"}
    )
    page.get_by_role("button", name="Raise the dispute").click()
    expect(page.get_by_role("status")).to_contain_text("raised")
    expect(page.locator("main")).to_contain_text("photo-notes.txt")

    # a collector sees the dispute in the back office
    staff_page.goto(f"{url}/app/disputes")
    staff_page.get_by_role("link", name=re.compile(f"Damaged goods: {number}")).click()
    expect(staff_page.locator("main")).to_contain_text("photo-notes.txt")

    # ... and on the customer's page records a call and a promise to pay
    staff_page.goto(f"{url}/app/customers/{live_server.seeded.portal_customer_id}")
    staff_page.get_by_label("Outcome").select_option("promised")
    staff_page.get_by_label("What was said").fill("Pays the rest next week; damage checked")
    staff_page.get_by_role("button", name="Record call").click()
    expect(staff_page.get_by_role("status")).to_have_text("Call recorded: promised.")
    staff_page.locator("input[name='invoices']").first.check()
    staff_page.get_by_label("Amount").fill("50.00")
    staff_page.get_by_label("Pay by").fill("2026-03-09")
    staff_page.get_by_role("button", name="Record promise").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Promise to pay 50.00 by 2026-03-09")

    # a bank line pays another invoice of the customer; the engine only suggests the match
    token = staff_page.locator("input[name='csrf_token']").first.get_attribute("value") or ""
    headers = {"X-CSRF-Token": token, "Content-Type": "application/xml"}
    statement = _camt("STORY-1", open_amount, customer.upper(), f"INVOICE {number}")
    imported = staff_page.request.post(
        f"{url}/api/v1/cashapp/statements?filename=story.xml", data=statement, headers=headers
    )
    assert imported.ok, imported.text()
    matched = staff_page.request.post(
        f"{url}/api/v1/cashapp/match",
        data={"threshold": 1.0, "as_of": TODAY.isoformat()},
        headers={"X-CSRF-Token": token},
    )
    assert matched.ok, matched.text()

    # a cash applier resolves the exception by accepting the suggestion
    staff_page.goto(f"{url}/app/cashapp")
    staff_page.locator("main table tbody tr", has_text="STORY-1").get_by_role("link").click()
    staff_page.get_by_role("button", name="Accept suggestion 1").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Suggestion 1 accepted")

    # the dashboard shows AR down by what the customer and the bank paid
    staff_page.goto(f"{url}/app/")
    total = staff_page.locator("#ar-total")
    expect(total).to_be_visible(timeout=30_000)
    assert _amount(total.inner_text()) == ar_before - sum(paid) - open_amount
    assert _ar_open(staff_page, url) == ar_before - sum(paid) - open_amount
