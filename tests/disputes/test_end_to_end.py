"""A short pay imported through cash application opens a deduction; every outcome settles it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from o2c.billing.model import LineCreate
from o2c.billing.service import invoice_details
from o2c.cashapp.service import import_statement, match
from o2c.disputes.model import CreditPart, CreditRequest, Subject
from o2c.disputes.outcomes import approve_write_off, chargeback, credit, rebill, reject, write_off
from o2c.disputes.policy import Settings, set_settings
from o2c.disputes.rules import DeductionPolicy
from o2c.disputes.service import deductions_of_items, disputed_minor_by_item, get_deduction
from o2c.security.model import Role
from tests.billing.builders import item_of
from tests.disputes.builders import a_widget_invoice, person, set_up_billing
from tests.invariants import check_ledger


def _camt(amount: str, payer: str, text: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>M-1</MsgId><CreDtTm>2026-03-02T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-1</Id><CreDtTm>2026-03-02T08:00:00</CreDtTm>
<Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><Dt>2026-03-02</Dt></ValDt>
<AcctSvcrRef>BANK-1</AcctSvcrRef><BkTxCd/><NtryDtls><TxDtls>
<Refs><AcctSvcrRef>BANK-1</AcctSvcrRef></Refs>
<RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties>
<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>""".encode()


@pytest.fixture
def imported(uow, actor):
    """Invoice of 119.00; the bank file pays 95.20 "less 2 damaged widgets"; matched."""
    set_settings(uow, actor, Settings(DeductionPolicy(), approval_above_minor=1000))
    customer = set_up_billing(uow, actor)
    invoice = a_widget_invoice(uow, actor, customer)
    text = f"{invoice.number} less 2 widgets damaged"
    import_statement(uow, actor, _camt("95.20", "Customer C1", text), "short.xml")
    summary = match(uow, actor)
    item = item_of(uow, actor, invoice.id)
    [deduction] = deductions_of_items(uow, actor, [item.id])
    return summary, invoice, item, deduction


def test_short_pay_from_the_bank_file_opens_a_routed_deduction(uow, actor, imported):
    summary, _invoice, item, deduction = imported
    assert summary.by_status == {"deduction": 1}
    assert item.open_minor == 2380
    assert (deduction.amount_minor, deduction.status, deduction.reason) == (2380, "open", "damaged")
    assert deduction.bank_line_ref
    assert deduction.team == "logistics"
    assert disputed_minor_by_item(uow, actor.company_id) == {item.id: 2380}
    check_ledger(uow, actor)


def _settled(uow, actor, invoice, deduction, outcome):
    assert item_of(uow, actor, invoice.id).open_minor == 0
    assert get_deduction(uow, actor, deduction.id).outcome == outcome
    assert disputed_minor_by_item(uow, actor.company_id) == {}
    check_ledger(uow, actor)


def test_imported_deduction_resolved_by_a_credit_note(uow, actor, imported):
    _, invoice, _, deduction = imported
    [widget] = invoice_details(uow, actor, invoice.id).lines
    parts = (CreditPart(widget.id, Decimal(2)),)
    credit(uow, actor, Subject.DEDUCTION, deduction.id, CreditRequest(lines=parts))
    _settled(uow, actor, invoice, deduction, "credit_note")


def test_imported_deduction_written_off_with_approval(uow, actor, imported):
    _, invoice, _, deduction = imported
    clerk = person(actor, "alice", Role.AR_CLERK)
    request_id = write_off(uow, clerk, Subject.DEDUCTION, deduction.id).request_id
    approve_write_off(uow, person(actor, "bob", Role.CONTROLLER), request_id)
    _settled(uow, actor, invoice, deduction, "write_off")


def test_imported_deduction_resolved_by_rebilling(uow, actor, imported):
    _, invoice, _, deduction = imported
    corrected = [LineCreate("Widget", Decimal(8), Decimal("10.00"), tax_category="standard")]
    new_id = rebill(uow, actor, Subject.DEDUCTION, deduction.id, corrected)
    _settled(uow, actor, invoice, deduction, "rebill")
    assert item_of(uow, actor, new_id).open_minor == 0


def test_imported_deduction_rejected_goes_back_to_collections(uow, actor, imported):
    _, invoice, _item, deduction = imported
    reject(uow, actor, Subject.DEDUCTION, deduction.id, "The delivery was signed undamaged.")
    assert item_of(uow, actor, invoice.id).open_minor == 2380
    assert disputed_minor_by_item(uow, actor.company_id) == {}
    check_ledger(uow, actor)


def test_imported_deduction_charged_back(uow, actor, imported):
    _, invoice, _, deduction = imported
    chargeback_id = chargeback(uow, actor, deduction.id)
    _settled(uow, actor, invoice, deduction, "chargeback")
    assert item_of(uow, actor, chargeback_id).open_minor == 2380
