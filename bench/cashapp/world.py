"""The ledger side of the benchmark: customers with names, accounts and groups, and their
open invoices, as a mid-sized European seller would have them.

Everything is drawn from one seeded `random.Random`, so a seed gives the same world. The
world keeps what only the customers know (accounts not yet on file, trading names nobody
recorded) apart from the profiles the engine is given.
"""

from __future__ import annotations

import math
import random
import string
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from o2c.cashapp.model import CustomerProfile, OpenInvoice

REAL_BRANDS = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder",
    "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Köhler",
    "Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Acme", "Vandelay", "Tyrell",
    "Van der Berg", "De Vries", "Jansen", "Bakker", "Visser", "Dupont", "Moreau", "Laurent",
    "Rossi", "Ferrari", "Esposito", "Bianchi", "Andersson", "Johansson", "Nielsen", "Hansen",
    "Novak", "Kowalski", "O'Brien", "Johnson", "Williams", "Taylor", "Evans", "Roberts",
)  # fmt: skip
SYLLABLES = (
    "al", "ber", "cor", "dan", "el", "fin", "gar", "hel", "is", "jor", "kal", "lum", "mar",
    "nor", "ost", "pra", "quin", "ros", "sol", "tek", "ul", "var", "wen", "xan", "yor", "zen",
    "bri", "cal", "dex", "fal", "gen", "lin", "mek", "nex", "ter", "vis", "tra", "plex",
)  # fmt: skip
INDUSTRIES = (
    "Maschinenbau", "Logistik", "Industrial Supplies", "Trading", "Foods", "Electronics",
    "Textiles", "Pharma", "Building Materials", "Consulting", "Software", "Metallbau",
    "Automotive Parts", "Packaging", "Chemicals", "Medical Devices", "Furniture", "Print & Media",
    "Agrar", "Energy Systems", "Handelsgesellschaft", "Elektrotechnik", "Bauunternehmung",
    "Facility Services", "Retail", "Wholesale", "Components", "Tools", "Hospitality", "Systems",
)  # fmt: skip
REGIONS = ("Nord", "Süd", "West", "Ost", "Benelux", "UK", "France", "Austria", "Iberia", "Nordic")
LEGAL_FORMS = {
    "DE": ("GmbH", "AG", "GmbH & Co. KG", "KG", "UG (haftungsbeschränkt)"),
    "NL": ("B.V.", "N.V."),
    "GB": ("Ltd", "Limited", "PLC"),
    "FR": ("SA", "SAS", "SARL"),
    "AT": ("GmbH", "AG"),
    "BE": ("NV", "BV", "SRL"),
    "US": ("Inc.", "LLC", "Corp."),
}
COUNTRIES = ("DE",) * 9 + ("NL",) * 3 + ("GB",) * 3 + ("FR",) * 2 + ("AT", "BE") + ("US",) * 2
CURRENCY = {"GB": "GBP", "US": "USD"}
AS_OF = date(2026, 3, 31)


def iban(country: str, rng: random.Random) -> str:
    """A syntactically valid IBAN (ISO 13616 check digits) for the country's BBAN shape."""
    if country == "US":
        return "".join(rng.choice(string.digits) for _ in range(10))
    digits = {"DE": 18, "NL": 10, "GB": 14, "FR": 23, "AT": 16, "BE": 12}[country]
    letters = {"NL": 4, "GB": 4}.get(country, 0)
    bbans = "".join(rng.choice(string.ascii_uppercase) for _ in range(letters))
    bbans += "".join(rng.choice(string.digits) for _ in range(digits))
    numeric = "".join(str(int(ch, 36)) for ch in bbans + country + "00")
    check = 98 - int(numeric) % 97
    return f"{country}{check:02d}{bbans}"


@dataclass
class Customer:
    """A customer as it really is: the profile the engine sees plus what it does not."""

    profile: CustomerProfile
    country: str
    currency: str
    accounts: tuple[str, ...]
    trading_name: str
    po_style: str
    recurring_minor: int
    discount_terms: bool
    invoices: list[OpenInvoice] = field(default_factory=list)


@dataclass
class World:
    customers: list[Customer]
    invoices: list[OpenInvoice]
    by_id: dict[int, Customer]
    children: dict[int, list[int]]
    own_accounts: tuple[str, ...]


def brand(rng: random.Random) -> str:
    if rng.random() < 0.35:
        return rng.choice(REAL_BRANDS)
    parts = rng.sample(SYLLABLES, rng.choice((2, 2, 3)))
    return "".join(parts).capitalize()


def _legal_name(rng: random.Random, country: str, main: str) -> str:
    legal = rng.choice(LEGAL_FORMS[country])
    roll = rng.random()
    if roll < 0.6:
        return f"{main} {rng.choice(INDUSTRIES)} {legal}"
    if roll < 0.75:
        return f"{main} {legal}"
    if roll < 0.85:
        return f"{main} & {brand(rng)} {legal}"
    return f"{main} {rng.choice(INDUSTRIES)} {rng.choice(REGIONS)} {legal}"


def _po_number(style: str, rng: random.Random) -> str | None:
    if style == "sap":
        return f"45{rng.randrange(10**8):08d}"
    if style == "po":
        return f"PO-{rng.randrange(10000, 999999)}"
    if style == "alnum":
        letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(3))
        return f"{letters}-{rng.randrange(1000, 999999)}"
    return None


def _amount(rng: random.Random, customer: Customer) -> int:
    if customer.recurring_minor and rng.random() < 0.5:
        return customer.recurring_minor
    euros = min(250_000.0, max(15.0, math.exp(rng.gauss(math.log(900), 1.1))))
    cents = int(euros * 100)
    roll = rng.random()
    if roll < 0.05:
        return max(10000, cents // 10000 * 10000)
    if roll < 0.25:
        return max(100, cents // 100 * 100)
    return cents


class _Numbers:
    """Invoice numbers as the seller's billing issues them: INV-<year>-<six-digit serial>."""

    def __init__(self, rng: random.Random, total: int) -> None:
        self.pools = {}
        for year, share in ((2025, 0.3), (2026, 0.7)):
            size = max(10, int(total * share * 1.2))
            self.pools[year] = rng.sample(range(1, min(999_999, size * 2)), size)
        self.rng = rng

    def next(self, issued: date) -> str:
        year = 2026 if issued.year >= 2026 else 2025
        pool = self.pools[year] or self.pools[2026 if year == 2025 else 2025]
        return f"INV-{year}-{pool.pop():06d}"


def _invoices(
    customer: Customer, count: int, numbers: _Numbers, rng: random.Random, next_id: int
) -> list[OpenInvoice]:
    invoices = []
    shared_po: str | None = None
    for offset in range(count):
        issued = AS_OF - timedelta(days=rng.randrange(1, 150))
        amount = _amount(rng, customer)
        po = None
        if customer.po_style != "none" and rng.random() < 0.8:
            po = (
                shared_po
                if shared_po and rng.random() < 0.15
                else _po_number(customer.po_style, rng)
            )
            shared_po = po
        discount_date, discount = None, 0
        if customer.discount_terms:
            discount_date = issued + timedelta(days=10)
            discount = int((Decimal(amount) * Decimal("0.02")).to_integral_value(ROUND_HALF_UP))
        invoices.append(
            OpenInvoice(
                item_id=next_id + offset,
                customer_id=customer.profile.customer_id,
                number=numbers.next(issued),
                po_number=po,
                currency=customer.currency,
                open_minor=amount,
                due_date=issued + timedelta(days=rng.choice((14, 30, 30, 45, 60))),
                discount_date=discount_date,
                discount_minor=discount,
            )
        )
    return invoices


def _customer(cid: int, rng: random.Random, names: set[str], parent: Customer | None) -> Customer:
    country = parent.country if parent else rng.choice(COUNTRIES)
    while True:
        if parent is not None:
            head = parent.profile.name.split()[0]
            legal = rng.choice(LEGAL_FORMS[country])
            name = f"{head} {rng.choice(INDUSTRIES)} {rng.choice(REGIONS)} {legal}"
        else:
            name = _legal_name(rng, country, brand(rng))
        if name not in names:
            names.add(name)
            break
    accounts = tuple(iban(country, rng) for _ in range(rng.choice((1, 1, 1, 2))))
    known = tuple(a for a in accounts if rng.random() < 0.85)
    trading = f"{brand(rng)} {rng.choice(('Store', 'Shop', 'Direct', 'Online', 'Services'))}"
    has_trading = rng.random() < 0.2
    aliases = (trading,) if has_trading and rng.random() < 0.5 else ()
    profile = CustomerProfile(
        customer_id=cid,
        code=f"C{cid:05d}",
        name=name,
        aliases=aliases,
        ibans=known,
        parent_id=parent.profile.customer_id if parent else None,
    )
    recurring = 0
    if rng.random() < 0.15:
        recurring = rng.choice((4900, 9900, 29900, 49900, 125000, 250000))
    return Customer(
        profile=profile,
        country=country,
        currency=CURRENCY.get(country, "EUR"),
        accounts=accounts,
        trading_name=trading if has_trading else "",
        po_style=rng.choice(("none", "none", "sap", "po", "alnum")),
        recurring_minor=recurring,
        discount_terms=rng.random() < 0.25,
    )


def build_world(invoice_count: int, rng: random.Random) -> World:
    """Customers (3% heads of groups with 2–5 subsidiaries) and about `invoice_count` invoices."""
    numbers = _Numbers(rng, invoice_count)
    names: set[str] = set()
    customers: list[Customer] = []
    children: dict[int, list[int]] = {}
    invoices: list[OpenInvoice] = []
    while len(invoices) < invoice_count:
        parent = _customer(len(customers) + 1, rng, names, None)
        family = [parent]
        if rng.random() < 0.03:
            for _ in range(rng.randrange(2, 6)):
                family.append(_customer(len(customers) + len(family) + 1, rng, names, parent))
            children[parent.profile.customer_id] = [c.profile.customer_id for c in family[1:]]
        for member in family:
            count = min(rng.randrange(10, 51), max(1, invoice_count - len(invoices)))
            member.invoices = _invoices(member, count, numbers, rng, len(invoices) + 1)
            invoices.extend(member.invoices)
            customers.append(member)
    own = (iban("DE", rng), iban("DE", rng))
    return World(customers, invoices, {c.profile.customer_id: c for c in customers}, children, own)
