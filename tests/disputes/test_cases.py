"""The dispute case workflow: raise, route, move, comment, attach, history, outcomes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from o2c.billing.service import invoice_details
from o2c.disputes.cases import (
    add_attachment,
    add_comment,
    get_attachment,
    get_case,
    move_case,
    raise_case,
    trail_of,
)
from o2c.disputes.model import (
    CaseCreate,
    CaseLineCreate,
    CaseStatus,
    CreditPart,
    CreditRequest,
    Subject,
)
from o2c.disputes.outcomes import credit, reject
from o2c.disputes.rules import MAX_ATTACHMENT_BYTES
from o2c.disputes.service import disputed_minor_by_item
from o2c.kernel.errors import InvalidTransition, ValidationFailed
from tests.billing.builders import item_of
from tests.disputes.builders import a_widget_invoice, set_up_billing
from tests.invariants import check_ledger


@pytest.fixture
def disputed(uow, actor):
    """A quantity dispute of 23.80 (two widgets) on an unpaid invoice of 119.00."""
    customer = set_up_billing(uow, actor)
    invoice = a_widget_invoice(uow, actor, customer)
    item = item_of(uow, actor, invoice.id)
    [widget] = invoice_details(uow, actor, invoice.id).lines
    case = raise_case(
        uow,
        actor,
        CaseCreate(
            customer, "quantity", [CaseLineCreate(item.id, 2380, widget.id)], title="2 short"
        ),
    )
    return invoice, item, widget, case


def test_raised_case_is_routed_and_due_by_the_reason_sla(uow, actor, disputed, today):
    _, item, _, case = disputed
    assert (case.status, case.team, case.amount_minor) == ("open", "logistics", 2380)
    assert case.due_date == today + timedelta(days=20)
    assert disputed_minor_by_item(uow, actor.company_id, [item.id]) == {item.id: 2380}


def test_case_walks_the_workflow_and_keeps_every_step(uow, actor, disputed):
    invoice, item, widget, case = disputed
    move_case(uow, actor, case.id, CaseStatus.IN_REVIEW, "checking the delivery note")
    move_case(uow, actor, case.id, CaseStatus.AWAITING_CUSTOMER)
    assert disputed_minor_by_item(uow, actor.company_id) == {item.id: 2380}
    move_case(uow, actor, case.id, CaseStatus.IN_REVIEW)
    credit(
        uow,
        actor,
        Subject.CASE,
        case.id,
        CreditRequest(lines=(CreditPart(widget.id, Decimal(2)),)),
    )
    trail = trail_of(uow, actor, Subject.CASE, case.id)
    assert [(e.from_status, e.to_status) for e in trail.events] == [
        (None, "open"),
        ("open", "in_review"),
        ("in_review", "awaiting_customer"),
        ("awaiting_customer", "in_review"),
        ("in_review", "resolved"),
    ]
    assert all(e.actor == "tester" for e in trail.events)
    assert [c.body for c in trail.comments] == ["checking the delivery note"]
    assert get_case(uow, actor, case.id).case.outcome == "credit_note"
    assert item_of(uow, actor, invoice.id).open_minor == 11900 - 2380
    assert disputed_minor_by_item(uow, actor.company_id) == {}
    check_ledger(uow, actor)


def test_a_case_cannot_be_resolved_by_hand_or_moved_after_closing(uow, actor, disputed):
    _, _, _, case = disputed
    with pytest.raises(InvalidTransition):
        move_case(uow, actor, case.id, CaseStatus.RESOLVED)
    reject(uow, actor, Subject.CASE, case.id, "Proof of delivery attached.")
    with pytest.raises(InvalidTransition):
        move_case(uow, actor, case.id, CaseStatus.IN_REVIEW)


def test_attachment_is_stored_and_read_back(uow, actor, disputed):
    _, _, _, case = disputed
    pod = b"%PDF-1.4 proof of delivery"
    stored = add_attachment(uow, actor, Subject.CASE, case.id, "pod.pdf", "application/pdf", pod)
    assert get_attachment(uow, actor, stored.id).data == pod
    [info] = trail_of(uow, actor, Subject.CASE, case.id).attachments
    assert (info.filename, info.size_bytes) == ("pod.pdf", len(pod))


def test_attachment_over_the_limit_or_of_a_wrong_type_is_refused(uow, actor, disputed):
    _, _, _, case = disputed
    with pytest.raises(ValidationFailed, match="over the limit"):
        add_attachment(
            uow,
            actor,
            Subject.CASE,
            case.id,
            "big.pdf",
            "application/pdf",
            b"%PDF-" + bytes(MAX_ATTACHMENT_BYTES),
        )
    with pytest.raises(ValidationFailed, match="not allowed"):
        add_attachment(
            uow, actor, Subject.CASE, case.id, "x.exe", "application/x-msdownload", b"MZ"
        )
    assert trail_of(uow, actor, Subject.CASE, case.id).attachments == []


def test_a_case_cannot_dispute_more_than_is_open(uow, actor, disputed):
    invoice, item, _, _ = disputed
    with pytest.raises(ValidationFailed, match="more than the open"):
        raise_case(
            uow, actor, CaseCreate(invoice.customer_id, "pricing", [CaseLineCreate(item.id, 20000)])
        )


def test_comment_to_the_customer_is_marked_and_announced(uow, actor, disputed):
    _, _, _, case = disputed
    note = add_comment(uow, actor, Subject.CASE, case.id, "We are checking.", to_customer=True)
    assert note.to_customer
