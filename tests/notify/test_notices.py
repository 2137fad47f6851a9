"""Customer and staff notices: from outbox events to mails at a real SMTP server, exactly once."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from o2c.app.catalogue import HANDLERS, NOTICES, JobServices, default_schedules
from o2c.billing.service import invoice_shipment
from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.jobs.model import ClaimedJob
from o2c.kernel.config import Settings
from o2c.notices.compose import Audience
from o2c.notices.service import NoticeReport, send_notices
from o2c.notices.tables import Notice
from o2c.notify.service import deliver_pending
from o2c.notify.smtp import SmtpTransport
from o2c.notify.tables import OutgoingMail
from o2c.orders.service import get_order
from o2c.parties.contacts import add_contact
from o2c.parties.events import customer_events
from o2c.parties.model import ContactCreate, ContactRole
from o2c.returns.model import Disposition
from o2c.returns.service import authorise_return, credit_return, receive_return
from o2c.shipping.service import confirm_delivery, create_shipment, ship
from tests.inventory.builders import a_product, a_warehouse, stock
from tests.orders.builders import a_customer, a_line, an_order

D = Decimal


def a_buyer(uow, actor, language="en", email="buyer@shop.example"):
    customer = a_customer(uow, actor, language=language, email="office@shop.example")
    add_contact(uow, actor, customer, ContactCreate("Jane Roe", email, role=ContactRole.PURCHASING))
    return customer


def delivered(uow, smtp):
    deliver_pending(uow, SmtpTransport(smtp.settings))
    return {r.message["Subject"]: r for r in smtp.recorder.received}


@pytest.fixture
def widget(uow, actor):
    product, warehouse = a_product(uow, actor, price="10.00"), a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "3")
    return product, warehouse


def test_order_confirmation_and_backorder_notice_reach_the_buyer(uow, actor, widget, smtp):
    product, warehouse = widget
    customer = a_buyer(uow, actor)
    order = an_order(uow, actor, customer, [a_line(product, "5")], warehouse, confirm=True)
    number = get_order(uow, actor, order).number

    report = send_notices(uow, actor)

    assert report == NoticeReport(queued=2, skipped=0)
    mails = delivered(uow, smtp)
    confirmation = mails[f"Order confirmation {number}"]
    assert confirmation.recipients == ["buyer@shop.example"]
    text = confirmation.message.get_body(("plain",)).get_content()
    assert "Dear Jane Roe," in text
    assert "5 x Widget" in text
    assert "for a total of €59.50" in text  # 5 × 10.00 + 19 % VAT
    backorder = mails[f"Backorder on order {number}"].message.get_body(("plain",)).get_content()
    assert "2 x Widget" in backorder  # 3 reserved, 2 short


def test_notices_are_written_in_the_customers_language(uow, actor, widget, smtp):
    product, warehouse = widget
    customer = a_buyer(uow, actor, language="de")
    order = an_order(uow, actor, customer, [a_line(product, "2.5")], warehouse, confirm=True)
    number = get_order(uow, actor, order).number

    send_notices(uow, actor)

    mail = delivered(uow, smtp)[f"Auftragsbestätigung {number}"]
    text = mail.message.get_body(("plain",)).get_content()
    assert text.startswith("Guten Tag Jane Roe,")
    assert "2,5 x Widget" in text
    html = mail.message.get_body(("html",)).get_content()
    assert '<html lang="de">' in html


def test_shipment_notice_carries_carrier_and_tracking_and_delivery_follows(
    uow, actor, widget, smtp
):
    product, warehouse = widget
    customer = a_buyer(uow, actor)
    order = an_order(uow, actor, customer, [a_line(product, "2")], warehouse, confirm=True)
    shipment = create_shipment(uow, actor, order)
    ship(uow, actor, shipment.id, carrier="DHL", tracking="JD0146000033")
    confirm_delivery(uow, actor, shipment.id)

    send_notices(uow, actor)

    mails = delivered(uow, smtp)
    order_number = get_order(uow, actor, order).number
    shipped = mails[f"Your order {order_number} has shipped"].message
    text = shipped.get_body(("plain",)).get_content()
    assert "Carrier: DHL. Tracking number: JD0146000033." in text
    assert "2 x Widget" in text
    assert f"Delivered: shipment {shipment.number}" in mails


def test_return_received_and_credited_notices_name_the_credit_note(uow, actor, widget, smtp):
    product, warehouse = widget
    customer = a_buyer(uow, actor)
    order = an_order(uow, actor, customer, [a_line(product, "2")], warehouse, confirm=True)
    shipment = create_shipment(uow, actor, order)
    ship(uow, actor, shipment.id)
    invoice_shipment(uow, actor, shipment.id)
    line = get_order(uow, actor, order).lines[0].id
    rma = authorise_return(uow, actor, order, {line: D(1)}, "damaged")
    receive_return(uow, actor, rma.id, Disposition.RESTOCK)
    credit_return(uow, actor, rma.id)

    send_notices(uow, actor)

    mails = delivered(uow, smtp)
    received = mails[f"Return {rma.number} received"].message.get_body(("plain",))
    assert "1 x Widget" in received.get_content()
    credited = mails[f"Credit for return {rma.number}"].message.get_body(("plain",))
    assert "for a total of €11.90" in credited.get_content()


def test_every_notice_is_on_the_customers_timeline(uow, actor, widget):
    product, warehouse = widget
    customer = a_buyer(uow, actor)
    order = an_order(uow, actor, customer, [a_line(product, "1")], warehouse, confirm=True)
    number = get_order(uow, actor, order).number

    send_notices(uow, actor)

    [event] = customer_events(uow, actor, customer)
    assert (event.kind, event.ref) == ("mail", f"sales_order:{order}")
    assert event.summary == f"Order confirmation {number} sent to buyer@shop.example"


def test_each_event_is_notified_once_however_often_the_job_runs(uow, actor, widget):
    product, warehouse = widget
    customer = a_buyer(uow, actor)
    an_order(uow, actor, customer, [a_line(product, "1")], warehouse, confirm=True)

    first = send_notices(uow, actor)
    second = send_notices(uow, actor)

    assert (first.queued, second.queued) == (1, 0)
    assert mail_count(uow) == 1


def test_two_jobs_at_once_queue_each_notice_once(engine, uow, actor, clock, widget):
    product, warehouse = widget
    customer = a_buyer(uow, actor)
    for _ in range(5):
        an_order(uow, actor, customer, [a_line(product, "0.5")], warehouse, confirm=True)
    start = threading.Barrier(2)
    reports: list[NoticeReport | BaseException] = []

    def run() -> None:
        own = UnitOfWork(session_factory(engine), clock)
        start.wait()
        try:
            reports.append(send_notices(own, actor))
        except BaseException as exc:  # surfaced by the assertion below
            reports.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(isinstance(r, NoticeReport) for r in reports), reports
    assert sum(r.queued for r in reports) == 5
    assert mail_count(uow) == 5


def mail_count(uow):
    with uow:
        return uow.session.scalar(select(func.count()).select_from(OutgoingMail))


def test_a_customer_without_address_is_skipped_with_the_reason(uow, actor, widget):
    product, warehouse = widget
    customer = a_customer(uow, actor)
    an_order(uow, actor, customer, [a_line(product, "1")], warehouse, confirm=True)

    report = send_notices(uow, actor)

    assert report == NoticeReport(queued=0, skipped=1)
    with uow:
        [notice] = uow.session.scalars(select(Notice))
        assert notice.skipped == "no e-mail address to send to"
    assert mail_count(uow) == 0


def test_credit_hold_notice_goes_to_the_staff_address(uow, actor, widget, smtp):
    product, warehouse = widget
    customer = a_buyer(uow, actor)
    order = an_order(uow, actor, customer, [a_line(product, "1")], warehouse)
    number = get_order(uow, actor, order).number
    with uow:  # what credit publishes when it holds an order
        failure = {"rule": "limit", "reason": "exposure 1,200.00 EUR above the limit 1,000.00"}
        uow.publish(
            actor.company_id,
            "order.credit_held",
            {"order_id": order, "number": number, "failures": [failure]},
        )
        uow.commit()

    sent = send_notices(uow, actor, Audience(staff_address="credit@acme.example"))

    assert sent == NoticeReport(queued=1, skipped=0)
    [mail] = delivered(uow, smtp).values()
    assert mail.recipients == ["credit@acme.example"]
    assert mail.message["Subject"].startswith(f"Credit hold: order {number} of Customer")
    assert "above the limit 1,000.00" in mail.message.get_body(("plain",)).get_content()
    [event] = customer_events(uow, actor, customer)
    assert event.summary == f"Credit hold notice for {number} sent to credit@acme.example"


def test_without_a_staff_address_the_credit_hold_notice_is_skipped(uow, actor, widget):
    product, warehouse = widget
    order = an_order(uow, actor, a_buyer(uow, actor), [a_line(product, "1")], warehouse)
    with uow:
        uow.publish(actor.company_id, "order.credit_held", {"order_id": order, "failures": []})
        uow.commit()

    assert send_notices(uow, actor) == NoticeReport(queued=0, skipped=1)


def test_the_job_sends_staff_notices_to_the_configured_address(engine, clock, uow, actor, widget):
    product, warehouse = widget
    order = an_order(uow, actor, a_buyer(uow, actor), [a_line(product, "1")], warehouse)
    with uow:
        uow.publish(actor.company_id, "order.credit_held", {"order_id": order, "failures": []})
        uow.commit()
    job = ClaimedJob(1, actor.company_id, NOTICES, "every minute", {}, 1, 5, "w1")
    services = JobServices(
        session_factory(engine), clock, Settings(staff_notice_address="credit@acme.example")
    )

    outcome = HANDLERS[NOTICES](services, job)

    assert outcome == {"queued": 1, "skipped": 0}
    assert NOTICES in {d.kind for d in default_schedules(services)}
    with uow:
        [mail] = uow.session.scalars(select(OutgoingMail))
        assert mail.to_addresses == ["credit@acme.example"]
