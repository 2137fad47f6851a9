"""The customer portal over HTTP (no browser): sign-in, what a customer sees and may do,
and that nothing of another customer is reachable by changing an id in the address."""

from __future__ import annotations

import re
import shutil
import warnings

import pytest
from sqlalchemy import select

from o2c.app.api import create_app
from o2c.billing.presentment import set_letterhead
from o2c.catalog.model import PriceBreak, PriceListCreate
from o2c.catalog.service import create_price_list
from o2c.db.engine import make_engine
from o2c.kernel.config import Settings
from o2c.kernel.money import Money
from o2c.ledger.tables import OpenItem
from o2c.parties.tables import CustomerEvent
from o2c.payments.autopay import run_autopay
from o2c.security.model import Role
from o2c.security.users import create_user
from tests.billing.builders import a_posted_invoice, line, tax_rates
from tests.billing.presentment_builders import LETTERHEAD, a_customer_with_address
from tests.inventory.builders import a_product, a_warehouse, stock
from tests.orders.builders import a_customer as an_order_customer

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*httpx2")
    from fastapi.testclient import TestClient

PASSWORD = "portal-pass-1"


@pytest.fixture
def engine(sqlite_template, tmp_path):
    """SQLite only: the storage paths are tested on both databases in their domains."""
    path = tmp_path / "o2c.db"
    shutil.copyfile(sqlite_template, path)
    sqlite = make_engine(f"sqlite:///{path}")
    yield sqlite
    sqlite.dispose()


@pytest.fixture
def company(uow, actor):
    """Two customers with two posted invoices each; a portal user for the first."""
    tax_rates(uow, actor)
    set_letterhead(uow, actor, LETTERHEAD)
    mine = a_customer_with_address(uow, actor, "C1", language="en")
    theirs = a_customer_with_address(uow, actor, "C2", language="en")
    invoices = {
        who: [
            a_posted_invoice(uow, actor, who, line("Widget", "1", "100.00")),
            a_posted_invoice(uow, actor, who, line("Gadget", "2", "40.00")),
        ]
        for who in (mine, theirs)
    }
    create_user(
        uow, actor, email="buyer@c1.example", name="Bea Buyer", password=PASSWORD,
        roles=[Role.CUSTOMER], customer_id=mine,
    )  # fmt: skip
    create_user(
        uow, actor, email="clerk@acme.example", name="Carl Clerk", password=PASSWORD,
        roles=[Role.AR_CLERK],
    )  # fmt: skip
    return mine, [i.id for i in invoices[mine]], [i.id for i in invoices[theirs]]


@pytest.fixture
def client(engine, clock):
    app = create_app(
        Settings(database_url="sqlite://", payment_provider="simulator"), engine, clock
    )
    browser = TestClient(app, base_url="http://o2c.test")
    processor = app.state.payment_provider

    def over_http(url: str, body: bytes, headers: dict[str, str]) -> None:
        answer = browser.post(url, content=body, headers=headers)
        if answer.status_code != 200:
            raise OSError(f"webhook refused: {answer.status_code} {answer.text}")

    processor.transport = over_http
    return browser


def sign_in(client, email="buyer@c1.example", password=PASSWORD):
    return client.post(
        "/portal/login", data={"email": email, "password": password}, follow_redirects=False
    )


def csrf(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def open_minor(uow, invoice_id: int) -> int:
    with uow:
        return uow.session.scalars(
            select(OpenItem.open_minor).where(
                OpenItem.kind == "invoice", OpenItem.source_id == invoice_id
            )
        ).one()


def test_pages_need_a_portal_sign_in_and_staff_cannot_use_it(client, company):
    to_login = client.get("/portal/invoices", follow_redirects=False)
    assert (to_login.status_code, to_login.headers["location"]) == (
        303,
        "/portal/login?next=%2Fportal%2Finvoices",
    )
    assert sign_in(client, "clerk@acme.example").status_code == 401
    assert sign_in(client, password="wrong").status_code == 401

    signed = sign_in(client)

    assert (signed.status_code, signed.headers["location"]) == (303, "/portal/")


def test_a_customer_sees_its_documents_and_nothing_of_another_customer(client, company, uow):
    _, mine, theirs = company
    sign_in(client)

    overview = client.get("/portal/")
    assert "Kunde C1 GmbH" in overview.text
    assert "Kunde C2 GmbH" not in overview.text
    pdf = client.get(f"/portal/invoices/{mine[0]}/document.pdf")
    assert (pdf.status_code, pdf.content[:5]) == (200, b"%PDF-"), pdf.text
    ubl = client.get(f"/portal/invoices/{mine[0]}/document.ubl")
    assert ubl.status_code == 200
    assert b"urn:oasis:names:specification:ubl" in ubl.content
    for page in ("statement", "payments", "disputes", "orders", "messages", "promise", "plans"):
        assert client.get(f"/portal/{page}").status_code == 200, page

    for path in (
        f"/portal/invoices/{theirs[0]}",
        f"/portal/invoices/{theirs[0]}/document.pdf",
        f"/portal/invoices/{theirs[0]}/document.ubl",
    ):
        assert client.get(path).status_code == 404, path


def test_paying_two_invoices_by_card_applies_them_when_the_processor_confirms(client, company, uow):
    _, mine, _ = company
    sign_in(client)
    token = csrf(client, "/portal/pay")

    started = client.post(
        "/portal/pay",
        data={
            "csrf_token": token,
            "key": "pay-1",
            "pay": [str(mine[0]), str(mine[1])],
            f"amount_{mine[0]}": "119.00",
            f"amount_{mine[1]}": "50,00",
        },
        follow_redirects=False,
    )
    assert started.status_code == 303, started.text
    checkout = started.headers["location"]
    paid = client.post(
        checkout,
        data={"csrf_token": token, "method": "card", "number": "4242 4242 4242 4242"},
    )

    assert "Thank you: your payment was received and applied." in paid.text
    client.app.state.payment_provider.wait_delivered()
    assert (open_minor(uow, mine[0]), open_minor(uow, mine[1])) == (0, 9520 - 5000)
    assert "PAY-" in client.get("/portal/payments").text


def test_a_card_with_3d_secure_goes_to_the_processors_page_and_back(client, company, uow):
    _, mine, _ = company
    sign_in(client)
    token = csrf(client, "/portal/pay")
    started = client.post(
        "/portal/pay",
        data={"csrf_token": token, "key": "k", "pay": str(mine[0]), f"amount_{mine[0]}": "119.00"},
        follow_redirects=False,
    )
    checkout = started.headers["location"]

    challenged = client.post(
        checkout,
        data={"csrf_token": token, "method": "card", "number": "4000002500003155"},
        follow_redirects=False,
    )
    challenge = challenged.headers["location"]
    assert re.fullmatch(r"http://o2c\.test/gateway/sim/challenge/pi_sim_\d+", challenge)
    assert open_minor(uow, mine[0]) == 11900
    assert "Approve the payment" in client.get(challenge).text
    back = client.post(challenge, data={"decision": "approve"})
    client.app.state.payment_provider.wait_delivered()

    assert back.url.path == checkout
    assert "succeeded" in back.text
    assert open_minor(uow, mine[0]) == 0


def test_paying_another_customers_invoice_is_refused(client, company, uow):
    _, _, theirs = company
    sign_in(client)
    token = csrf(client, "/portal/pay")

    refused = client.post(
        "/portal/pay",
        data={"csrf_token": token, "pay": str(theirs[0]), f"amount_{theirs[0]}": "119.00"},
    )

    assert refused.status_code == 422
    assert "not an invoice of this customer" in refused.text
    assert open_minor(uow, theirs[0]) == 11900


def test_a_form_without_the_csrf_token_is_refused(client, company):
    sign_in(client)

    refused = client.post("/portal/messages", data={"body": "hello"})

    assert refused.status_code == 403


def test_a_dispute_with_a_file_is_raised_and_followed(client, company, uow):
    _, mine, _ = company
    sign_in(client)
    token = csrf(client, f"/portal/disputes/new?invoice={mine[1]}")

    raised = client.post(
        "/portal/disputes/new",
        data={
            "csrf_token": token,
            "invoice": str(mine[1]),
            "reason": "pricing",
            "amount": "10.00",
            "comment": "Gadgets were quoted at 35.00",
        },
        files={"attachment": ("quote.txt", b"Gadget 35.00 EUR", "text/plain")},
    )

    assert raised.status_code == 200, raised.text
    case_page = raised.url.path
    assert re.fullmatch(r"/portal/disputes/\d+", case_page)
    assert "quote.txt" in raised.text
    assert "Gadgets were quoted at 35.00" in raised.text
    commented = client.post(f"{case_page}/comment", data={"csrf_token": token, "body": "Any news?"})
    assert "Any news?" in commented.text


def test_unknown_or_foreign_disputes_checkouts_and_orders_are_not_found(client, company):
    sign_in(client)
    assert client.get("/portal/disputes/999").status_code == 404
    assert client.get("/portal/checkout/999").status_code == 404
    assert client.get("/portal/orders/999").status_code == 404


def test_a_promise_and_a_message_land_on_the_customers_timeline(client, company, uow):
    customer, mine, _ = company
    sign_in(client)
    token = csrf(client, "/portal/promise")

    promised = client.post(
        "/portal/promise",
        data={
            "csrf_token": token,
            "invoice": str(mine[0]),
            "amount": "119.00",
            "pay_by": "2026-03-20",
        },
    )
    written = client.post(
        "/portal/messages", data={"csrf_token": token, "body": "Please send a copy by post."}
    )

    assert "we noted your promise to pay by 2026-03-20" in promised.text
    assert "Please send a copy by post." in written.text
    with uow:
        kinds = uow.session.scalars(
            select(CustomerEvent.kind).where(CustomerEvent.customer_id == customer)
        ).all()
    assert "message_in" in kinds


def test_a_saved_card_pays_the_instalments_of_a_plan_by_autopay(client, company, uow, actor, clock):
    _, mine, _ = company
    sign_in(client)
    token = csrf(client, "/portal/plans")
    saved = client.post(
        "/portal/plans/card", data={"csrf_token": token, "number": "4242424242424242"}
    )
    assert "Card ending 4242 saved for autopay." in saved.text
    method = re.search(r'<option value="(\d+)"[^>]*>Charge Card ending 4242', saved.text)
    assert method

    planned = client.post(
        "/portal/plans",
        data={
            "csrf_token": token,
            "invoice": str(mine[0]),
            "instalments": "2",
            "first_due": clock.today().isoformat(),
            "method": method.group(1),
        },
    )
    assert "Your plan of 2 instalments is set up and charged to your card" in planned.text
    processor = client.app.state.payment_provider
    [charged] = run_autopay(uow, actor, processor, clock.today())
    processor.wait_delivered()

    assert charged.approved
    assert open_minor(uow, mine[0]) == 11900 - 5950


def test_the_webhook_endpoint_refuses_a_forged_signature(client, company):
    body = b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": {}}'

    forged = client.post(
        "/gateway/sim/webhook", content=body, headers={"O2C-Signature": "t=1,v1=00"}
    )
    unknown = client.post("/gateway/other/webhook", content=body)

    assert (forged.status_code, forged.json()["code"]) == (401, "unauthorized")
    assert unknown.status_code == 404


def test_an_order_from_the_price_list_is_placed_and_confirmed(client, actor, uow):
    product = a_product(uow, actor, price="10.00")
    warehouse = a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "100")
    create_price_list(
        uow,
        actor,
        PriceListCreate(
            "WHOLESALE", "Wholesale", "EUR", (PriceBreak(product, Money("9.00", "EUR")),)
        ),
    )
    customer = an_order_customer(uow, actor, price_list="WHOLESALE")
    create_user(
        uow, actor, email="orders@c9.example", name="Olga Orders", password=PASSWORD,
        roles=[Role.CUSTOMER], customer_id=customer,
    )  # fmt: skip
    sign_in(client, "orders@c9.example")
    form = client.get("/portal/orders/new")
    assert "9.00 EUR" in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token

    placed = client.post(
        "/portal/orders/new",
        data={
            "csrf_token": token.group(1),
            "key": "o1",
            "product_0": str(product),
            "quantity_0": "3",
            "po_number": "PO-77",
        },
    )

    assert "is confirmed" in placed.text
    assert re.search(r'data-testid="order-status">confirmed<', placed.text)
    assert "9.00 EUR" in placed.text
    orders = client.get("/portal/orders")
    assert "PO-77" in orders.text
