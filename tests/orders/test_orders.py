from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from o2c.catalog.model import PriceBreak, PriceListCreate
from o2c.catalog.service import create_price_list
from o2c.db.outbox import OutboxEvent
from o2c.inventory.service import MoveCommand, receive_stock
from o2c.kernel.errors import IdempotencyMismatch, InvalidTransition, NotFound, ValidationFailed
from o2c.kernel.money import Money
from o2c.orders.model import OrderStatus
from o2c.orders.service import (
    OrderCreate,
    OrderFilter,
    OrderUpdate,
    cancel_order,
    confirm_order,
    create_order,
    find_order,
    get_order,
    list_orders,
    reserve_backorders,
    update_order,
)
from o2c.security.model import Actor
from o2c.security.service import create_company
from tests.inventory.builders import a_product, a_warehouse, stock
from tests.inventory.test_stock import position
from tests.orders.builders import a_customer, a_line, an_order

D = Decimal


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def topics(uow) -> list[str]:
    with uow:
        return list(uow.session.scalars(select(OutboxEvent.topic).order_by(OutboxEvent.id)))


def test_draft_is_numbered_and_priced_from_the_customers_price_list(uow, actor, today):
    product = a_product(uow, actor, price="10.00")
    create_price_list(
        uow,
        actor,
        PriceListCreate(
            "WHOLESALE",
            "Wholesale",
            "EUR",
            (PriceBreak(product, eur("9.00")), PriceBreak(product, eur("8.00"), D(10))),
        ),
    )
    customer = a_customer(uow, actor, price_list="WHOLESALE")

    order = create_order(
        uow, actor, OrderCreate(customer, [a_line(product, "12"), a_line(product, "2")])
    )

    assert (order.number, order.status, order.currency, order.order_date) == (
        "SO-2026-000001",
        "draft",
        "EUR",
        today,
    )
    assert [(li.line_no, li.unit_price_minor, li.line_net_minor) for li in order.lines] == [
        (1, 800, 9600),
        (2, 900, 1800),
    ]
    assert "order.created" in topics(uow)


def test_a_given_unit_price_and_description_override_the_catalog(uow, actor):
    product = a_product(uow, actor, price="10.00")
    customer = a_customer(uow, actor)

    order = create_order(
        uow,
        actor,
        OrderCreate(
            customer,
            [a_line(product, "2", unit_price=eur("7.50"), description="Special widget")],
        ),
    )

    [line] = order.lines
    assert (line.unit_price_minor, line.description, line.line_net_minor) == (
        750,
        "Special widget",
        1500,
    )


def test_order_totals_are_exact_with_two_tax_rates_and_discounts(uow, actor):
    standard = a_product(uow, actor, price="19.99")
    food = a_product(uow, actor, price="7.45", tax_category="reduced")
    service = a_product(uow, actor, price="100.00", stocked=False)
    customer = a_customer(uow, actor)

    order = get_order(
        uow,
        actor,
        an_order(
            uow,
            actor,
            customer,
            [
                a_line(standard, "3", discount_percent=D(10)),
                a_line(food, "2"),
                a_line(service, "1", discount_percent=D("2.5")),
            ],
            order_discount_percent=D(5),
        ),
    )

    assert [
        (
            li.tax_category,
            li.tax_percent,
            li.line_net_minor,
            li.order_discount_minor,
            li.line_tax_minor,
        )
        for li in order.lines
    ] == [
        ("standard", D(19), 5397, 270, 974),
        ("reduced", D(7), 1490, 74, 99),
        ("standard", D(19), 9750, 488, 1760),
    ]
    assert (
        order.lines_net_minor,
        order.discount_minor,
        order.net_minor,
        order.tax_minor,
        order.total_minor,
    ) == (16637, 832, 15805, 2833, 18638)


def test_currency_defaults_to_the_customers_and_prices_must_be_in_it(uow, actor):
    product = a_product(uow, actor, price="10.00")
    customer = a_customer(uow, actor, currency="USD")

    with pytest.raises(ValidationFailed) as refused:
        create_order(uow, actor, OrderCreate(customer, [a_line(product)]))
    order = create_order(
        uow, actor, OrderCreate(customer, [a_line(product, unit_price=Money("11.00", "USD"))])
    )

    assert [e.field for e in refused.value.errors] == ["lines[0].unit_price"]
    assert (order.currency, order.total_minor) == ("USD", 1309)


def test_an_invalid_order_reports_every_problem_at_once(uow, actor):
    product = a_product(uow, actor)
    customer = a_customer(uow, actor)

    with pytest.raises(ValidationFailed) as refused:
        create_order(
            uow,
            actor,
            OrderCreate(
                customer,
                [
                    a_line(product, "0"),
                    a_line(product, "1", discount_percent=D(120)),
                    a_line(9999, "1"),
                    a_line(product, "1", unit_price=eur("-1.00")),
                ],
                order_discount_percent=D(-1),
                warehouse_id=4242,
            ),
        )

    assert [e.field for e in refused.value.errors] == [
        "order_discount_percent",
        "warehouse_id",
        "lines[0].quantity",
        "lines[1].discount_percent",
        "lines[2].product_id",
        "lines[3].unit_price",
    ]


def test_unknown_customer_is_a_validation_error(uow, actor):
    product = a_product(uow, actor)

    with pytest.raises(ValidationFailed, match="customer_id"):
        create_order(uow, actor, OrderCreate(4242, [a_line(product)]))


def test_order_numbers_run_per_company_and_year(uow, actor):
    product = a_product(uow, actor)
    customer = a_customer(uow, actor)
    first = create_order(uow, actor, OrderCreate(customer, [a_line(product)]))
    second = create_order(uow, actor, OrderCreate(customer, [a_line(product)]))
    next_year = create_order(
        uow, actor, OrderCreate(customer, [a_line(product)], order_date=date(2027, 1, 4))
    )
    with uow:
        other = create_company(uow, "OTHER", "Other Ltd", "EUR")
        uow.commit()
    stranger = Actor("stranger", other.id)
    theirs = create_order(
        uow,
        stranger,
        OrderCreate(a_customer(uow, stranger), [a_line(a_product(uow, stranger))]),
    )

    assert [first.number, second.number, next_year.number, theirs.number] == [
        "SO-2026-000001",
        "SO-2026-000002",
        "SO-2027-000001",
        "SO-2026-000001",
    ]
    with pytest.raises(NotFound):
        get_order(uow, stranger, first.id)


def test_a_retried_create_returns_the_first_order(uow, actor):
    product = a_product(uow, actor)
    command = OrderCreate(a_customer(uow, actor), [a_line(product, "2")], po_number="PO-1")

    first = create_order(uow, actor, command, idempotency_key="abc")
    again = create_order(uow, actor, command, idempotency_key="abc")
    with pytest.raises(IdempotencyMismatch):
        create_order(
            uow, actor, OrderCreate(command.customer_id, [a_line(product)]), idempotency_key="abc"
        )

    assert again.id == first.id
    assert list_orders(uow, actor)[1] == 1


def test_update_replaces_lines_of_a_draft_and_prices_it_again(uow, actor):
    product = a_product(uow, actor, price="10.00")
    order_id = an_order(uow, actor, a_customer(uow, actor), [a_line(product, "1")])

    update_order(uow, actor, order_id, OrderUpdate(lines=[a_line(product, "3"), a_line(product)]))
    order = update_order(uow, actor, order_id, OrderUpdate(order_discount_percent=D(10)))

    assert [li.quantity for li in order.lines] == [D(3), D(1)]
    assert (order.net_minor, order.discount_minor, order.total_minor) == (3600, 400, 4284)


def test_a_confirmed_order_can_no_longer_be_edited(uow, actor):
    product = a_product(uow, actor, stocked=False)
    order_id = an_order(uow, actor, a_customer(uow, actor), [a_line(product)], confirm=True)

    with pytest.raises(InvalidTransition):
        update_order(uow, actor, order_id, OrderUpdate(po_number="X"))


def test_confirm_reserves_each_stocked_line_in_the_orders_warehouse(uow, actor):
    product, service = a_product(uow, actor), a_product(uow, actor, stocked=False)
    warehouse = a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "10")
    order_id = an_order(
        uow, actor, a_customer(uow, actor), [a_line(product, "4"), a_line(service)], warehouse
    )

    order = confirm_order(uow, actor, order_id)

    assert order.status == "confirmed"
    assert [li.quantity_reserved for li in order.lines] == [D(4), D(0)]
    assert position(uow, actor, product, warehouse) == (D(10), D(4), D(6))


def test_short_stock_is_backordered_not_refused(uow, actor):
    product = a_product(uow, actor)
    warehouse = a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "3")
    order_id = an_order(uow, actor, a_customer(uow, actor), [a_line(product, "5")], warehouse)

    order = confirm_order(uow, actor, order_id)

    [line] = order.lines
    assert (order.status, line.quantity_reserved) == ("confirmed", D(3))
    assert topics(uow)[-2:] == ["order.confirmed", "order.backordered"]
    with uow:
        event = uow.session.scalars(select(OutboxEvent).order_by(OutboxEvent.id.desc())).first()
        assert event.payload["lines"] == [
            {"line_id": line.id, "product_id": product, "quantity": "2"}
        ]


def test_backorders_are_reserved_once_stock_arrives(uow, actor):
    product = a_product(uow, actor)
    warehouse = a_warehouse(uow, actor)
    order_id = an_order(
        uow, actor, a_customer(uow, actor), [a_line(product, "5")], warehouse, confirm=True
    )
    receive_stock(uow, actor, MoveCommand(product, warehouse, D(8)))

    order = reserve_backorders(uow, actor, order_id)

    assert order.lines[0].quantity_reserved == D(5)
    assert position(uow, actor, product, warehouse) == (D(8), D(5), D(3))


def test_stocked_lines_cannot_be_confirmed_without_a_warehouse(uow, actor):
    product = a_product(uow, actor)
    order_id = an_order(uow, actor, a_customer(uow, actor), [a_line(product)])

    with pytest.raises(ValidationFailed, match="warehouse"):
        confirm_order(uow, actor, order_id)

    assert get_order(uow, actor, order_id).status == "draft"


def test_cancelling_a_confirmed_order_releases_its_reservations(uow, actor):
    product = a_product(uow, actor)
    warehouse = a_warehouse(uow, actor)
    stock(uow, actor, product, warehouse, "10")
    order_id = an_order(
        uow, actor, a_customer(uow, actor), [a_line(product, "4")], warehouse, confirm=True
    )

    order = cancel_order(uow, actor, order_id, reason="customer changed mind")

    assert (order.status, order.lines[0].quantity_reserved) == ("cancelled", D(0))
    assert position(uow, actor, product, warehouse) == (D(10), D(0), D(10))
    assert topics(uow)[-1] == "order.cancelled"


@pytest.mark.parametrize("action", [confirm_order, cancel_order])
def test_a_cancelled_order_can_be_neither_confirmed_nor_cancelled_again(uow, actor, action):
    order_id = an_order(uow, actor, a_customer(uow, actor), [a_line(a_product(uow, actor))])
    cancel_order(uow, actor, order_id)

    with pytest.raises(InvalidTransition):
        action(uow, actor, order_id)


def test_confirming_twice_is_refused(uow, actor):
    product = a_product(uow, actor, stocked=False)
    order_id = an_order(uow, actor, a_customer(uow, actor), [a_line(product)], confirm=True)

    with pytest.raises(InvalidTransition):
        confirm_order(uow, actor, order_id)


def test_orders_are_listed_newest_first_with_filters_and_paging(uow, actor):
    product = a_product(uow, actor, stocked=False)
    alice, bob = a_customer(uow, actor), a_customer(uow, actor)
    first = an_order(uow, actor, alice, [a_line(product)], order_date=date(2026, 2, 1))
    second = an_order(
        uow,
        actor,
        bob,
        [a_line(product)],
        order_date=date(2026, 2, 15),
        po_number="PO-77",
        confirm=True,
    )
    third = an_order(uow, actor, alice, [a_line(product)], order_date=date(2026, 3, 1))

    def ids(where=None, **page):
        orders, count = list_orders(uow, actor, where, **page)
        return [o.id for o in orders], count

    assert ids() == ([third, second, first], 3)
    assert ids(limit=2, offset=1) == ([second, first], 3)
    assert ids(OrderFilter(customer_id=alice)) == ([third, first], 2)
    assert ids(OrderFilter(statuses=[OrderStatus.CONFIRMED])) == ([second], 1)
    assert ids(OrderFilter(date_to=date(2026, 2, 10))) == ([first], 1)
    assert ids(OrderFilter(search="po-77")) == ([second], 1)
    assert find_order(uow, actor, "SO-2026-000002").id == second
