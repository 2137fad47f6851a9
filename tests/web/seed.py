"""A small demo-like company for the browser tests, loaded in seconds rather than minutes.

The demo loader at a quarter of its size over six months of history (enough paid invoices
to train the payment model) gives customers, products,
orders, shipments, invoices, payments and credit notes. On top come what the pages show and
what the tests act on: staff and portal users, a bank statement whose lines wait in the
exception queue, a credit hold, a dispute case and a cash forecast.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine

from o2c.analytics.service import run_forecast, train_payment_model
from o2c.app.demo import load_demo
from o2c.app.identity import company_id_for
from o2c.cashapp.service import import_statement, match
from o2c.catalog.service import list_products
from o2c.credit.model import OrderOnCreditHold
from o2c.credit.service import place_hold
from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.disputes.cases import raise_case
from o2c.disputes.model import CaseCreate, CaseLineCreate
from o2c.kernel.clock import FrozenClock
from o2c.kernel.money import Money
from o2c.ledger.model import ItemKind
from o2c.ledger.reports import OpenItemOn, open_items_on
from o2c.orders.service import OrderCreate, OrderLineCreate, confirm_order, create_order
from o2c.parties.service import get_customers
from o2c.security.model import Actor, Role, system_actor
from o2c.security.users import create_user

TODAY = date(2026, 3, 2)
HISTORY_DAYS = 180
SCALE = 0.25
PASSWORD = "browser-test-pass"
STAFF_EMAIL = "staff@web.test"
PORTAL_EMAIL = "portal@web.test"
UNKNOWN_PAYER = "MYSTERY TRADING LTD"
REVIEW_EVERYTHING = 1.0
STAFF_ROLES = (Role.AR_CLERK, Role.COLLECTOR, Role.CASH_APPLIER, Role.CREDIT_MANAGER)


@dataclass(frozen=True)
class Seeded:
    """What the tests need to find their way in the seeded company."""

    held_customer_id: int
    other_held_customer_id: int
    portal_customer_id: int
    unknown_line_amount: Decimal
    held_order_number: str


def _camt(entries: list[tuple[str, Money, str, str]]) -> bytes:
    """A camt.053 statement of credit entries (reference, amount, payer, remittance text)."""
    rows = "".join(
        f"""<Ntry><Amt Ccy="{amount.currency}">{amount.amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Sts>BOOK</Sts><BookgDt><Dt>{TODAY}</Dt></BookgDt><ValDt><Dt>{TODAY}</Dt></ValDt>
<AcctSvcrRef>{ref}</AcctSvcrRef><BkTxCd/><NtryDtls><TxDtls><Refs><AcctSvcrRef>{ref}</AcctSvcrRef>
</Refs><RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties><RmtInf><Ustrd>{text}</Ustrd>
</RmtInf></TxDtls></NtryDtls></Ntry>"""
        for ref, amount, payer, text in entries
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>WEB-1</MsgId><CreDtTm>{TODAY}T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-WEB-1</Id><CreDtTm>{TODAY}T08:00:00</CreDtTm>
<Acct><Id><IBAN>DE44500105175407324931</IBAN></Id><Ccy>EUR</Ccy></Acct>{rows}
</Stmt></BkToCstmrStmt></Document>""".encode()


def _open_invoices(uow: UnitOfWork, actor: Actor) -> list[OpenItemOn]:
    items = open_items_on(uow, actor, TODAY)
    return [i for i in items if i.kind == ItemKind.INVOICE.value and i.currency == "EUR"]


def seed(engine: Engine) -> Seeded:
    """Load the company into `engine` (an empty, migrated database)."""
    load_demo(engine, today=TODAY, seed=42, scale=SCALE, history_days=HISTORY_DAYS)
    return add_web_data(engine)


def add_web_data(engine: Engine) -> Seeded:
    """Users, a held customer, a dispute, bank lines to review and a forecast over the demo."""
    clock = FrozenClock()
    clock.set_date(TODAY)
    uow = UnitOfWork(session_factory(engine), clock)
    actor = system_actor(company_id_for(uow, "DEMO"), "web test seed")
    invoices = _open_invoices(uow, actor)
    # the biggest debtor is put on hold; the portal user belongs to another customer
    held = max(invoices, key=lambda i: i.open_minor).customer_id
    # the portal user's customer has the most open invoices (the story pays two, disputes one)
    counts = Counter(i.customer_id for i in invoices if i.customer_id != held)
    portal = max(counts, key=lambda customer: (counts[customer], -customer))
    create_user(
        uow, actor, email=STAFF_EMAIL, name="Sam Staff", password=PASSWORD, roles=STAFF_ROLES
    )
    create_user(
        uow,
        actor,
        email=PORTAL_EMAIL,
        name="Pat Portal",
        password=PASSWORD,
        roles=[Role.CUSTOMER],
        customer_id=portal,
    )
    # the customer with the oldest overdue invoice orders (and the credit rules hold it)
    late = min(
        (i for i in invoices if i.customer_id not in {held, portal}), key=lambda i: i.due_date
    )
    taken = {held, late.customer_id, portal}
    other_held = next(i.customer_id for i in invoices if i.customer_id not in taken)
    place_hold(uow, actor, held, "over the credit limit")
    place_hold(uow, actor, other_held, "payments 60 days late")
    disputed = next(i for i in invoices if i.customer_id == portal)
    raise_case(
        uow,
        actor,
        CaseCreate(
            portal,
            "pricing",
            [CaseLineCreate(disputed.item_id, disputed.open_minor // 2)],
            title="Price above the agreed list",
        ),
    )
    # one line pays an invoice in full, from its customer, but is only suggested (a threshold
    # above any score keeps it for a person); nobody knows the other line's payer
    first = invoices[0]
    payer = get_customers(uow, actor.company_id, [first.customer_id])[first.customer_id].name
    exact = Money.from_minor(first.open_minor, "EUR")
    unknown = Money(Decimal("123.45"), "EUR")
    statement = _camt(
        [
            ("WEB-EXACT", exact, payer.upper(), f"INVOICE {first.document_number}"),
            ("WEB-UNKNOWN", unknown, UNKNOWN_PAYER, "PAYMENT"),
            ("WEB-SPARE", Money(Decimal("77.00"), "EUR"), "NOBODY WE KNOW", "MISC"),
        ]
    )
    import_statement(uow, actor, statement, "web.camt053.xml")
    match(uow, actor, TODAY, threshold=REVIEW_EVERYTHING)
    held_order = _held_order(uow, actor, late.customer_id)
    # the history holds enough paid invoices (30 or more) to train the payment model
    train_payment_model(uow, actor, TODAY)
    run_forecast(uow, actor, TODAY)
    return Seeded(held, other_held, portal, unknown.amount, held_order)


def _held_order(uow: UnitOfWork, actor: Actor, customer_id: int) -> str:
    """An order of a customer with an invoice long overdue, which the credit rules hold at
    confirmation (a service line, so no stock is needed)."""
    products, _ = list_products(uow, actor, active=True, limit=500)
    service = next(p for p in products if not p.stocked)
    order = create_order(
        uow, actor, OrderCreate(customer_id, [OrderLineCreate(service.id, Decimal(1))])
    )
    try:
        confirm_order(uow, actor, order.id)
    except OrderOnCreditHold:
        return order.number
    raise AssertionError(f"order {order.number} was confirmed: the seed expects a credit hold")
