"""Two years of trading, day by day: orders, shipments (some split), invoices, FX rates, stock.

Each day the frozen clock is set to that day and the day's work goes through the same services
a user's would, so documents, journal entries and audit records carry plausible dates.
Payments and the exceptions around them are `paying`'s part.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from o2c.app.demo.agenda import (
    CreditDue,
    PaymentDue,
    RefundDue,
    ShipmentDue,
    World,
    WriteOffDue,
)
from o2c.app.demo.behaviour import plan_payments
from o2c.app.demo.catalog import DemoProduct, restock
from o2c.app.demo.customers import DemoCustomer, stop_date
from o2c.app.demo.paying import issue_credit_note, pay, refund_overpayment, write_off_rest
from o2c.billing.model import InvoiceCreate, LineCreate
from o2c.billing.service import (
    create_invoice,
    invoice_items,
    invoice_order,
    invoice_shipment,
    post_invoice,
)
from o2c.billing.tables import Invoice
from o2c.ledger.service import set_fx_rate
from o2c.orders.service import OrderCreate, OrderLineCreate, confirm_order, create_order
from o2c.parties.model import InvoiceOn
from o2c.shipping.service import create_shipment, ship

FX_START = {"USD": Decimal("0.9200"), "GBP": Decimal("1.1650")}
SOUTH = {"AT", "IT", "ES", "FR"}
QUANTITIES = {"box": (1, 20), "pc": (1, 12), "pack": (1, 10), "h": (2, 16), "seat": (1, 5)}
LOT = 200
CARRIERS = ("DHL Freight", "DB Schenker", "UPS", "Kuehne+Nagel")
PROJECT_EVERY = 61  # days between project invoices (document discount and freight charge)


def run_history(world: World, start: date, step: Callable[[], None]) -> None:
    """Trade every day from `start` to today; `step` is called once per day (progress)."""
    rates = dict(FX_START)
    day = start
    while day <= world.today:
        world.clock.set_date(day)
        if day == start or day.day == 1:
            _set_rates(world, day, rates)
        if day.weekday() < 5:
            _trade(world, day, start)
        events = world.agenda.pop(day, [])
        for event in events:
            if isinstance(event, ShipmentDue):
                _ship(world, day, event)
            elif isinstance(event, CreditDue):
                issue_credit_note(world, event)
        pay(world, day, [e for e in events if isinstance(e, PaymentDue)])
        for event in events:
            if isinstance(event, WriteOffDue):
                write_off_rest(world, day, event)
            elif isinstance(event, RefundDue):
                refund_overpayment(world, day, event)
        step()
        day += timedelta(days=1)


def _set_rates(world: World, day: date, rates: dict[str, Decimal]) -> None:
    """Month-start rates on a gentle random walk (base units per unit of the currency)."""
    for currency, rate in rates.items():
        moved = rate * (Decimal(1) + Decimal(world.rng.randint(-150, 150)) / 10000)
        rates[currency] = moved.quantize(Decimal("0.0001"), ROUND_HALF_UP)
        set_fx_rate(world.uow, world.actor, currency, day, rates[currency])


def _trade(world: World, day: date, start: date) -> None:
    """The day's new orders (and, every so often, a project invoice)."""
    for customer in world.customers.values():
        if world.rng.random() < customer.orders_per_month / 21.7:
            _order(world, day, customer)
    if (day - start).days % PROJECT_EVERY == 3:
        customers = [c for c in world.customers.values() if c.currency == "EUR"]
        _project_invoice(world, day, world.rng.choice(customers))


def _lines(world: World, customer: DemoCustomer) -> list[tuple[DemoProduct, int]]:
    """1 to 5 lines, mostly goods; now and then service hours or a training seat."""
    rng = world.rng
    goods = [p for p in world.catalog.products if p.stocked]
    picked = rng.sample(goods, k=min(len(goods), rng.choice((1, 1, 2, 2, 3, 3, 4, 5))))
    if world.counts.orders == 0:  # the very first order shows every tax treatment at once
        picked = [world.catalog.family(f)[0] for f in ("FAS", "BKS", "TRN")]
    elif rng.random() < 0.08:
        picked.append(rng.choice(world.catalog.family("SRV")))
    elif rng.random() < 0.04:
        picked.append(rng.choice(world.catalog.family("TRN")))
    lines = []
    for product in picked:
        low, high = QUANTITIES[product.unit]
        if product.family == "PWT":
            high = 4
        lines.append((product, rng.randint(low, high)))
    return lines


def _order(world: World, day: date, customer: DemoCustomer) -> None:
    """Order, confirm (reserving stock, restocking first where short) and plan the shipping."""
    rng = world.rng
    warehouse = world.catalog.warehouses[1 if customer.country in SOUTH else 0]
    lines = _lines(world, customer)
    for product, quantity in lines:
        if product.stocked:
            _ensure_stock(world, day, product, warehouse, quantity)
    order = create_order(
        world.uow,
        world.actor,
        OrderCreate(
            customer.id,
            [
                OrderLineCreate(
                    p.id,
                    Decimal(q),
                    discount_percent=Decimal(rng.choice((5, 10)) if rng.random() < 0.08 else 0),
                )
                for p, q in lines
            ],
            order_discount_percent=Decimal(rng.choice((2, 3, 5)) if rng.random() < 0.1 else 0),
            order_date=day,
            warehouse_id=warehouse,
            po_number=f"PO-{rng.randint(100000, 999999)}" if rng.random() < 0.7 else None,
        ),
    )
    confirm_order(world.uow, world.actor, order.id)
    world.counts.orders += 1
    if customer.invoice_on is InvoiceOn.ORDER:
        _invoiced(world, customer, invoice_order(world.uow, world.actor, order.id))
    ship_on = day + timedelta(days=rng.randint(1, 4))
    halves = {line.id: line.quantity // 2 for line in order.lines if line.quantity >= 2}
    if halves and rng.random() < 0.12:
        world.plan(ship_on, ShipmentDue(order.id, customer.id, halves))
        ship_on += timedelta(days=rng.randint(5, 15))
    world.plan(ship_on, ShipmentDue(order.id, customer.id, None))


def _ensure_stock(world: World, day: date, product: DemoProduct, warehouse: int, need: int) -> None:
    key = (product.id, warehouse)
    if world.available.get(key, Decimal(0)) < need:
        lot = LOT + need
        restock(world.uow, world.actor, product, warehouse, lot, day)
        world.available[key] = world.available.get(key, Decimal(0)) + lot
    world.available[key] -= need


def _ship(world: World, day: date, due: ShipmentDue) -> None:
    """Pick, ship and, for customers billed on shipment, invoice what went out."""
    shipment = create_shipment(
        world.uow,
        world.actor,
        due.order_id,
        due.quantities,
        ship_date=day,
        carrier=world.rng.choice(CARRIERS),
        tracking=f"{world.rng.randint(10**11, 10**12 - 1)}",
    )
    ship(world.uow, world.actor, shipment.id, day)
    world.counts.shipments += 1
    customer = world.customers[due.customer_id]
    if customer.invoice_on is InvoiceOn.SHIPMENT:
        _invoiced(world, customer, invoice_shipment(world.uow, world.actor, shipment.id))


def _project_invoice(world: World, day: date, customer: DemoCustomer) -> None:
    """A project billed directly: goods at two VAT rates, exempt training, a project discount
    and a freight charge (the hard cases of e-invoicing on one document)."""
    rng = world.rng
    picks = [
        (rng.choice(world.catalog.family(f)), Decimal(rng.randint(1, 4)))
        for f in ("ELE", "BKS", "SRV", "TRN")
    ]
    lines = [LineCreate(p.name, q, p.price, product_id=p.id, tax_category=None) for p, q in picks]
    net = sum((p.price * q for p, q in picks), Decimal(0))
    draft = create_invoice(
        world.uow,
        world.actor,
        InvoiceCreate(
            customer.id,
            lines,
            issue_date=day,
            po_number=f"PRJ-{day:%Y}-{rng.randint(100, 999)}",
            discount=(net * Decimal("0.05")).quantize(Decimal("0.01"), ROUND_HALF_UP),
            discount_reason="Project discount 5 %",
            charge=Decimal("45.00"),
            charge_reason="Freight and packaging",
            notes="Installation project",
        ),
    )
    _invoiced(world, customer, post_invoice(world.uow, world.actor, draft.id))


def _invoiced(world: World, customer: DemoCustomer, invoice: Invoice) -> None:
    """Count the invoice and plan what happens to it: payments by the customer's profile,
    sometimes a credit note first."""
    world.counts.invoices += 1
    item = invoice_items(world.uow, world.actor.company_id, [invoice.id])[invoice.id]
    rng = world.rng
    if rng.random() < 0.015 or (world.counts.invoices == 25 and world.counts.credit_notes == 0):
        world.plan(
            invoice.issue_date + timedelta(days=rng.randint(2, 6)), CreditDue(invoice.id, item.id)
        )
    stopped = stop_date(world.today)
    for instalment in plan_payments(
        customer.profile, rng, invoice.issue_date, invoice.due_date, item.discount_date, stopped
    ):
        world.plan(instalment.day, PaymentDue(invoice.id, item.id, instalment.share))
