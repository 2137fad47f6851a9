"""Invariants of invoice arithmetic and of the entries composed from it (pure, no database)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from o2c.billing.model import InvoiceKind
from o2c.billing.numbering import format_number
from o2c.billing.posting import InvoiceDocument, RevenueLine, TaxLine, invoice_entry
from o2c.billing.totals import PricedLine, compute_totals, line_net, prorate
from o2c.ledger.model import AccountRole, check_balanced

RATES = [
    ("standard", Decimal("19")),
    ("reduced", Decimal("7")),
    ("zero", Decimal("0")),
    ("odd", Decimal("8.1")),
]

lines_strategy = st.lists(
    st.builds(
        lambda q, p, d, r: PricedLine(q, p, d, r[0], r[1]),
        st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1000"), places=4),
        st.integers(min_value=0, max_value=10_000_000),
        st.sampled_from([Decimal(0), Decimal("2.5"), Decimal("10"), Decimal("100")]),
        st.sampled_from(RATES),
    ),
    min_size=1,
    max_size=8,
)


def document(lines, discount, charge, kind, currency="USD", rate=Decimal("0.9137")):
    totals = compute_totals(lines, discount, charge)
    return totals, InvoiceDocument(
        1,
        kind,
        "INV-2026-000001",
        7,
        currency,
        "EUR",
        rate,
        date(2026, 2, 1),
        tuple(RevenueLine(a) for a in totals.revenue),
        tuple(TaxLine(t.category, t.percent, t.tax_minor) for t in totals.taxes),
        totals.total_minor,
    )


@given(
    lines=lines_strategy,
    discount_share=st.fractions(min_value=0, max_value=1),
    charge=st.integers(min_value=0, max_value=100_000),
    kind=st.sampled_from(list(InvoiceKind)),
    rate=st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("500"), places=6),
)
def test_invoice_entries_balance_in_currency_and_in_base(lines, discount_share, charge, kind, rate):
    nets = sum(line_net(li.quantity, li.unit_price_minor, li.discount_percent) for li in lines)
    discount = int(nets * discount_share)
    totals, doc = document(lines, discount, charge, kind, rate=rate)
    if totals.total_minor <= 0:
        return

    entry = invoice_entry(doc)

    check_balanced(entry)
    ar = [li for li in entry.lines if li.role is AccountRole.AR_CONTROL]
    sign = 1 if kind is InvoiceKind.INVOICE else -1
    assert [(li.amount, li.base) for li in ar] == [
        (sign * totals.total_minor, sign * doc.base_total)
    ]


@given(
    lines=lines_strategy,
    discount_share=st.fractions(min_value=0, max_value=1),
    charge=st.integers(min_value=0, max_value=100_000),
)
def test_revenue_taxable_bases_and_totals_agree(lines, discount_share, charge):
    nets = [line_net(li.quantity, li.unit_price_minor, li.discount_percent) for li in lines]
    discount = int(sum(nets) * discount_share)

    totals = compute_totals(lines, discount, charge)

    assert sum(totals.revenue) == sum(nets) - discount + charge == totals.net_minor
    assert all(r >= 0 for r in totals.revenue)
    per_rate: defaultdict[tuple[str, Decimal], int] = defaultdict(int)
    for li, revenue in zip(lines, totals.revenue, strict=True):
        per_rate[(li.tax_category, li.tax_percent)] += revenue
    assert {(t.category, t.percent): t.taxable_minor for t in totals.taxes} == per_rate
    assert totals.total_minor == totals.net_minor + sum(t.tax_minor for t in totals.taxes)


def test_line_net_rounds_half_up_once():
    assert line_net(Decimal("3"), 333, Decimal("0")) == 999
    assert line_net(Decimal("0.5"), 1, Decimal("0")) == 1
    assert line_net(Decimal("1"), 1999, Decimal("2.5")) == 1949  # 1949.025


def test_prorate_gives_the_whole_amount_to_a_full_share():
    assert prorate(1000, 3, 3) == 1000
    assert prorate(1000, 1, 3) == 333
    assert prorate(1000, 0, 0) == 1000


def test_numbers_read_series_year_and_padded_counter():
    assert format_number("INV", 2026, 123) == "INV-2026-000123"
    assert format_number("CN", 2026, 7) == "CN-2026-000007"
    assert format_number("INV", 2026, 1_234_567) == "INV-2026-1234567"
