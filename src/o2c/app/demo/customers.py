"""The demo company's customers: a cast with every role the demo needs, then a crowd.

The first sixteen customers are cast on purpose (a group of a parent and three subsidiaries the
parent pays for, customers in USD and GBP, one billed on order, one of each difficult payment
profile); the rest are drawn at random with realistic weights.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from o2c.app.demo.behaviour import Profile
from o2c.app.demo.names import COUNTRIES, Country, company_name, email_domain, iban
from o2c.db.uow import UnitOfWork
from o2c.kernel.money import Money
from o2c.parties.contacts import add_address, add_bank_account, add_contact
from o2c.parties.model import (
    AddressCreate,
    AddressKind,
    BankAccountCreate,
    ContactCreate,
    ContactRole,
    CustomerCreate,
    InvoiceOn,
)
from o2c.parties.service import create_customer
from o2c.security.model import Actor

GROUP_NAMES = ("Meridian Holding AG", "Meridian Retail GmbH", "Meridian Logistik GmbH",
               "Meridian Austria GmbH")  # fmt: skip
PRICE_LISTS = {"USD": "USD-LIST", "GBP": "GBP-LIST"}


@dataclass(frozen=True)
class Role:
    """What the cast needs of one customer; None fields are drawn at random."""

    country: str | None = None
    currency: str = "EUR"
    profile: Profile | None = None
    group: int | None = None  # index in GROUP_NAMES
    invoice_on: InvoiceOn = InvoiceOn.SHIPMENT
    orders_per_month: float | None = None


CAST: tuple[Role, ...] = (
    Role("DE", profile=Profile.PUNCTUAL, orders_per_month=4),
    Role("DE", profile=Profile.PUNCTUAL, group=0, orders_per_month=3),
    Role("DE", group=1),
    Role("DE", group=2),
    Role("AT", group=3),
    Role("US", "USD", Profile.LATE),
    Role("US", "USD", Profile.PUNCTUAL),
    Role("GB", "GBP", Profile.DISCOUNT),
    Role("GB", "GBP", Profile.PARTIAL),
    Role("DE", profile=Profile.PUNCTUAL, invoice_on=InvoiceOn.ORDER),
    Role("FR", profile=Profile.VERY_LATE, orders_per_month=2),
    Role("IT", profile=Profile.VERY_LATE, orders_per_month=2),
    Role("NL", profile=Profile.STOPPED, orders_per_month=2),
    Role("DE", profile=Profile.LATE, orders_per_month=2),
    Role("ES", profile=Profile.PARTIAL),
    Role("BE", profile=Profile.DISCOUNT),
)
CROWD_COUNTRIES = {"DE": 40, "AT": 10, "FR": 10, "NL": 10, "BE": 6, "IT": 8, "ES": 8, "IE": 8}
CROWD_PROFILES = {
    Profile.PUNCTUAL: 55,
    Profile.DISCOUNT: 12,
    Profile.LATE: 18,
    Profile.VERY_LATE: 5,
    Profile.PARTIAL: 10,
}
TERMS = {"NET30": 60, "NET15": 10, "NET60": 15, "EOM30": 15}
T = TypeVar("T")


@dataclass(frozen=True)
class DemoCustomer:
    id: int
    code: str
    currency: str
    country: str
    profile: Profile
    payer: int  # the customer id whose payments settle this customer's invoices
    invoice_on: InvoiceOn
    orders_per_month: float
    term: str


def _pick(rng: random.Random, weights: dict[T, int]) -> T:
    return rng.choices(list(weights), list(weights.values()))[0]


def _tax_id(country: str, rng: random.Random) -> str:
    digits = "".join(str(rng.randrange(10)) for _ in range(11))
    return {
        "DE": f"DE{digits[:9]}",
        "AT": f"ATU{digits[:8]}",
        "FR": f"FR{digits}",
        "NL": f"NL{digits[:9]}B01",
        "BE": f"BE0{digits[:9]}",
        "IT": f"IT{digits}",
        "ES": f"ESB{digits[:8]}",
        "IE": f"IE{digits[:7]}A",
        "GB": f"GB{digits[:9]}",
    }.get(country, f"{digits[:2]}-{digits[2:9]}")


def _electronic_address(country: str, index: int) -> dict[str, str]:
    """A Peppol id (DUNS, scheme 0060) for customers whose tax id is no VAT number: Peppol
    e-invoices need an electronic address for the buyer, EU buyers have theirs by VAT id."""
    if country != "US":
        return {}
    return {"peppol_id": f"0060:{150000000 + index * 7919:09d}"}


def create_customers(
    uow: UnitOfWork, actor: Actor, rng: random.Random, count: int
) -> list[DemoCustomer]:
    """`count` customers (never fewer than the cast) with addresses, an AR contact and, where
    the country issues IBANs, the bank account they pay from."""
    taken: set[str] = set()
    roles = list(CAST) + [Role() for _ in range(max(0, count - len(CAST)))]
    made: list[DemoCustomer] = []
    for index, role in enumerate(roles):
        country = COUNTRIES[role.country or _pick(rng, CROWD_COUNTRIES)]
        name = (
            GROUP_NAMES[role.group] if role.group is not None else company_name(country, rng, taken)
        )
        parent = made[1] if role.group else None
        profile = role.profile or (parent.profile if parent else _pick(rng, CROWD_PROFILES))
        term = "2/10NET30" if profile is Profile.DISCOUNT else _pick(rng, TERMS)
        domain = email_domain(name, country.code)
        customer = create_customer(
            uow,
            actor,
            CustomerCreate(
                code=f"C{10001 + index}",
                name=name,
                currency=role.currency,
                country=country.code,
                tax_id=_tax_id(country.code, rng),
                email=f"invoices@{domain}",
                language=country.language,
                parent_id=parent.id if parent else None,
                payment_term=term,
                price_list=PRICE_LISTS.get(role.currency),
                credit_limit=Money(
                    Decimal(rng.choice((10, 25, 50, 100, 250)) * 1000), role.currency
                ),
                invoice_on=role.invoice_on,
                attributes={
                    "segment": rng.choice(("trade", "industry", "installer", "public")),
                    **_electronic_address(country.code, index),
                },
            ),
        )
        _add_details(uow, actor, rng, customer.id, name, country, domain)
        made.append(
            DemoCustomer(
                customer.id,
                customer.code,
                role.currency,
                country.code,
                profile,
                parent.id if parent else customer.id,
                role.invoice_on,
                role.orders_per_month or rng.choice((0.5, 1, 1, 1.5, 1.5, 2, 3)),
                term,
            )
        )
    return made


def _add_details(
    uow: UnitOfWork,
    actor: Actor,
    rng: random.Random,
    customer_id: int,
    name: str,
    country: Country,
    domain: str,
) -> None:
    city, postal = rng.choice(country.cities)
    street = f"{rng.choice(country.streets)} {rng.randint(1, 180)}"
    add_address(
        uow, actor, customer_id,
        AddressCreate(AddressKind.BILLING, street, city, country.code, postal_code=postal),
    )  # fmt: skip
    ship_city, ship_postal = rng.choice(country.cities)
    add_address(
        uow, actor, customer_id,
        AddressCreate(
            AddressKind.SHIPPING, f"Goods receiving, {rng.choice(country.streets)} "
            f"{rng.randint(1, 180)}", ship_city, country.code, postal_code=ship_postal,
        ),
    )  # fmt: skip
    person = rng.choice(country.people)
    add_contact(
        uow,
        actor,
        customer_id,
        ContactCreate(
            person,
            f"{person.split()[0].lower()}.{person.split()[-1].lower()}@{domain}".translate(
                str.maketrans("äöüéíáç", "aoueiac")
            ),
            role=ContactRole.AR,
        ),
    )
    if country.bank_codes:
        account = iban(country.code, rng.choice(country.bank_codes), rng)
        add_bank_account(uow, actor, customer_id, BankAccountCreate(account, holder=name))


def stop_date(today: date) -> date:
    """When the customer in trouble stopped paying: about five months before `today`."""
    return date.fromordinal(today.toordinal() - 150)
