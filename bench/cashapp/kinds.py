"""The kinds of bank line an AR team meets, each drawn with its ground truth.

Every function draws one line of its kind (or None when the world offers no example, and
another kind is drawn). `KINDS` holds their relative frequencies.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from bench.cashapp.draw import (
    Drawer,
    Expected,
    Made,
    Payer,
    creditor_reference,
    money,
    paid_in_full,
    weighted,
)
from bench.cashapp.mangling import MANGLINGS, reference, several
from bench.cashapp.unrelated import unrelated_credit, unrelated_debit
from bench.cashapp.world import Customer
from bench.cashapp.x12 import AdvisedItem, advice

from o2c.cashapp.model import Allocation, MatchStatus, OpenInvoice
from o2c.formats.remittance import Remittance
from o2c.formats.statement import StructuredRef

REASONS = (
    "DAMAGED GOODS",
    "SHORT SHIPMENT",
    "PRICE DIFFERENCE",
    "PROMO ALLOWANCE",
    "RETURNED 3 UNITS",
    "less freight",
    "Abzug Qualitaetsmangel",
)
ADX_CODES = (("04", "DAMAGED"), ("06", "QTY"), ("01", "PRICE"), ("56", "ADV"), ("54", "FRT"))
NO_REF_TEXTS = ("", "", "SAMMELZAHLUNG", "PAYMENT RUN 03/2026", "ACH PAYMENT", "Zahlung lt. Avis")


def _single(d: Drawer, form: str) -> Made | None:
    customer = d.fresh_customer()
    if customer is None:
        return None
    invoice = d.rng.choice(d.unpaid(customer))
    d.pay([invoice])
    on = d.paid_on([invoice])
    text = d.ref_text(customer, invoice, form, on)
    e2e = invoice.number if form == "exact" and d.rng.random() < 0.1 else ""
    line = d.line(invoice.open_minor, invoice.currency, d.present(customer), text, on, e2e=e2e)
    return line, None, Expected(True, MatchStatus.APPLIED, paid_in_full([invoice]))


def exact_reference(d: Drawer) -> Made | None:
    return _single(d, "exact")


def mangled_reference(d: Drawer) -> Made | None:
    return _single(d, weighted(d.rng, MANGLINGS))


def rf_reference(d: Drawer) -> Made | None:
    customer = d.fresh_customer()
    if customer is None:
        return None
    invoice = d.rng.choice(d.unpaid(customer))
    d.pay([invoice])
    on = d.paid_on([invoice])
    rf = creditor_reference(invoice.number)
    refs: tuple[StructuredRef, ...] = ()
    text = " ".join(rf[i : i + 4] for i in range(0, len(rf), 4))
    if d.rng.random() < 0.7:
        refs, text = (StructuredRef("RF", rf, True),), ""
    line = d.line(invoice.open_minor, invoice.currency, d.present(customer), text, on, refs)
    return line, None, Expected(True, MatchStatus.APPLIED, paid_in_full([invoice]))


def multi_with_refs(d: Drawer) -> Made | None:
    customer = d.fresh_customer(need=2)
    if customer is None:
        return None
    unpaid = d.unpaid(customer)
    invoices = d.rng.sample(unpaid, min(len(unpaid), d.rng.randrange(2, 6)))
    d.pay(invoices)
    on = d.paid_on(invoices)
    form = d.rng.choice(("exact", "exact", "prefix_dropped", "serial_only", "zeros_lost"))
    text = several([reference(inv, form, d.rng) for inv in invoices], d.rng)
    total = sum(inv.open_minor for inv in invoices)
    line = d.line(total, customer.currency, d.present(customer), text, on)
    return line, None, Expected(True, MatchStatus.APPLIED, paid_in_full(invoices))


def _twins(invoices: list[OpenInvoice], family: list[OpenInvoice]) -> bool:
    """Whether another open item of the family has the amount of one paid: then nothing
    tells which of the equal items the payer meant."""
    chosen = {inv.item_id for inv in invoices}
    amounts = {inv.open_minor for inv in invoices}
    return any(inv.open_minor in amounts and inv.item_id not in chosen for inv in family)


def _no_ref(d: Drawer, payer_of: Customer, invoices: list[OpenInvoice], payer: Payer) -> Made:
    """A payment naming nothing: a clerk can settle it only knowing the payer, and only
    when no equal amount among the payer's other open items leaves a doubt."""
    family = d.family_unpaid(payer_of)
    d.pay(invoices)
    on = d.paid_on(invoices)
    total = sum(inv.open_minor for inv in invoices)
    line = d.line(total, invoices[0].currency, payer, d.rng.choice(NO_REF_TEXTS), on)
    matchable = payer.identifiable and not _twins(invoices, family)
    status = MatchStatus.APPLIED if matchable else MatchStatus.SUGGESTED
    return line, None, Expected(matchable, status, paid_in_full(invoices))


def multi_no_ref(d: Drawer) -> Made | None:
    """A payment run: mostly the oldest items due, sometimes a few picked ones, no text."""
    customer = d.fresh_customer(need=2)
    if customer is None:
        return None
    unpaid = d.unpaid(customer)
    if d.rng.random() < 0.75:
        size = min(len(unpaid), d.rng.choice((2, 2, 3, 3, 4, 5, 6)))
        invoices = unpaid[:size]
    else:
        invoices = d.rng.sample(unpaid, min(len(unpaid), d.rng.choice((2, 2, 3, 4))))
    return _no_ref(d, customer, invoices, d.present(customer))


def single_no_ref(d: Drawer) -> Made | None:
    customer = d.fresh_customer()
    if customer is None:
        return None
    invoice = d.rng.choice(d.unpaid(customer))
    return _no_ref(d, customer, [invoice], d.present(customer))


def unknown_payer_no_ref(d: Drawer) -> Made | None:
    customer = d.fresh_customer()
    if customer is None:
        return None
    invoice = d.rng.choice(d.unpaid(customer))
    payer = Payer("", d.unknown_account(customer), False)
    return _no_ref(d, customer, [invoice], payer)


def ambiguous_equal(d: Drawer) -> Made | None:
    """One of two open invoices of the same amount, paid without a reference."""
    for _ in range(60):
        customer = d.fresh_customer(need=2)
        if customer is None or not customer.recurring_minor:
            continue
        twins = [i for i in d.unpaid(customer) if i.open_minor == customer.recurring_minor]
        if len(twins) >= 2:
            made = _no_ref(d, customer, [twins[0]], d.present(customer))
            line, _, expected = made
            return line, None, Expected(False, MatchStatus.SUGGESTED, expected.allocations)
    return None


def short_pay(d: Drawer) -> Made | None:
    customer = d.fresh_customer()
    if customer is None:
        return None
    invoice = d.rng.choice(d.unpaid(customer))
    low = max(d.policy.writeoff_limit(invoice.open_minor) + 1, invoice.open_minor // 20)
    short = d.rng.randrange(low, max(low, invoice.open_minor * 2 // 5) + 1)
    if short >= invoice.open_minor:
        return None
    d.pay([invoice])
    paid = invoice.open_minor - short
    on = d.paid_on([invoice])
    payer = d.present(customer)
    remittance: Remittance | None = None
    if d.rng.random() < 0.4:
        code, note = d.rng.choice(ADX_CODES)
        item = AdvisedItem(
            invoice.number,
            money(paid),
            money(invoice.open_minor),
            adjustments=((money(short), code, note),),
        )
        trace = f"{d.rng.randrange(10**9, 10**10)}"
        name = payer.name or customer.profile.name
        remittance = advice(trace, name, money(paid), on, invoice.currency, [item], d.count + 1)
        words = f"CCD+ TRN*1*{trace}"
    else:
        form = d.rng.choice(("exact", "exact", "prefix_dropped"))
        words = d.ref_text(customer, invoice, form, on)
        if d.rng.random() < 0.5:
            words += " " + d.rng.choice(REASONS)
    line = d.line(paid, invoice.currency, payer, words, on)
    allocation = (Allocation(invoice.item_id, paid),)
    return (
        line,
        remittance,
        Expected(True, MatchStatus.DEDUCTION, allocation, deduction_minor=short),
    )


def _advised(
    d: Drawer, invoice: OpenInvoice, on_or_before_discount: bool
) -> tuple[AdvisedItem, Allocation, int]:
    """One advice line: paid in full, with an earned discount, or short with a reason code."""
    amount, roll = invoice.open_minor, d.rng.random()
    if roll < 0.25 and invoice.discount_minor and on_or_before_discount:
        paid = amount - invoice.discount_minor
        item = AdvisedItem(
            invoice.number, money(paid), money(amount), money(invoice.discount_minor)
        )
        return item, Allocation(invoice.item_id, paid, invoice.discount_minor), 0
    low = max(d.policy.writeoff_limit(amount) + 1, amount // 20)
    if roll < 0.4 and low < amount * 3 // 10:
        short = d.rng.randrange(low, amount * 3 // 10)
        code, note = d.rng.choice(ADX_CODES)
        item = AdvisedItem(
            invoice.number,
            money(amount - short),
            money(amount),
            adjustments=((money(short), code, note),),
        )
        return item, Allocation(invoice.item_id, amount - short), short
    return (
        AdvisedItem(invoice.number, money(amount), money(amount)),
        Allocation(invoice.item_id, amount),
        0,
    )


def remittance_multi(d: Drawer) -> Made | None:
    customer = d.fresh_customer(need=2)
    if customer is None:
        return None
    unpaid = d.unpaid(customer)
    invoices = d.rng.sample(unpaid, min(len(unpaid), d.rng.randrange(2, 7)))
    d.pay(invoices)
    on = d.paid_on(invoices)
    drawn = [
        _advised(d, inv, inv.discount_date is not None and on <= inv.discount_date)
        for inv in invoices
    ]
    total = sum(a.amount_minor for _, a, _ in drawn)
    deduction = sum(short for _, _, short in drawn)
    payer = d.present(customer)
    trace = f"{d.rng.randrange(10**9, 10**10)}"
    name = payer.name or customer.profile.name
    items = [item for item, _, _ in drawn]
    remittance = advice(trace, name, money(total), on, customer.currency, items, d.count + 1)
    words = d.rng.choice((f"CCD+ TRN*1*{trace}", f"REMITTANCE {trace}", f"ACH CTX {trace}"))
    line = d.line(total, customer.currency, payer, words, on)
    status = MatchStatus.DEDUCTION if deduction else MatchStatus.APPLIED
    allocations = tuple(a for _, a, _ in drawn)
    return line, remittance, Expected(True, status, allocations, deduction_minor=deduction)


KindFunction = Callable[[Drawer], Made | None]


def _with_terms(d: Drawer) -> tuple[Customer, OpenInvoice, date] | None:
    """An unpaid invoice granting an early-payment discount, and its discount date."""
    for _ in range(60):
        customer = d.fresh_customer()
        if customer is None:
            return None
        if customer.discount_terms:
            offered = [i for i in d.unpaid(customer) if i.discount_minor > 0 and i.discount_date]
            if offered:
                invoice = d.rng.choice(offered)
                assert invoice.discount_date is not None
                return customer, invoice, invoice.discount_date
    return None


def discount(d: Drawer) -> Made | None:
    drawn = _with_terms(d)
    if drawn is None:
        return None
    customer, invoice, last_day = drawn
    on = last_day - timedelta(days=d.rng.randrange(0, 9))
    paid = invoice.open_minor - invoice.discount_minor
    allocation = (Allocation(invoice.item_id, paid, invoice.discount_minor),)
    payer = d.present(customer)
    if d.rng.random() < 0.8:
        d.pay([invoice])
        form = d.rng.choice(("exact", "prefix_dropped", "zeros_lost"))
        line = d.line(paid, invoice.currency, payer, d.ref_text(customer, invoice, form, on), on)
        return line, None, Expected(True, MatchStatus.APPLIED, allocation)
    grace = timedelta(days=d.policy.discount_grace_days)
    clash = any(
        paid == i.open_minor
        or (
            paid == i.open_minor - i.discount_minor
            and i.discount_date is not None
            and on <= i.discount_date + grace
        )
        for i in d.family_unpaid(customer)
        if i.item_id != invoice.item_id
    )
    d.pay([invoice])
    line = d.line(paid, invoice.currency, payer, d.rng.choice(NO_REF_TEXTS), on)
    matchable = payer.identifiable and not clash
    status = MatchStatus.APPLIED if matchable else MatchStatus.SUGGESTED
    return line, None, Expected(matchable, status, allocation)


def late_discount(d: Drawer) -> Made | None:
    """The discount taken weeks after the discount date: the company claims it back."""
    drawn = _with_terms(d)
    if drawn is None:
        return None
    customer, invoice, last_day = drawn
    d.pay([invoice])
    late = d.policy.discount_grace_days + d.rng.randrange(3, 25)
    on = last_day + timedelta(days=late)
    paid = invoice.open_minor - invoice.discount_minor
    form = d.rng.choice(("exact", "prefix_dropped"))
    line = d.line(
        paid, invoice.currency, d.present(customer), d.ref_text(customer, invoice, form, on), on
    )
    if invoice.discount_minor <= d.policy.writeoff_limit(invoice.open_minor):
        allocation = Allocation(invoice.item_id, paid, writeoff_minor=invoice.discount_minor)
        return line, None, Expected(True, MatchStatus.APPLIED, (allocation,))
    allocation = Allocation(invoice.item_id, paid)
    expected = Expected(True, MatchStatus.DEDUCTION, (allocation,), invoice.discount_minor)
    return line, None, expected


def overpayment(d: Drawer) -> Made | None:
    customer = d.fresh_customer()
    if customer is None:
        return None
    invoice = d.rng.choice(d.unpaid(customer))
    d.pay([invoice])
    rounded = -(-invoice.open_minor // 10000) * 10000 - invoice.open_minor
    extra = rounded if rounded and d.rng.random() < 0.3 else d.rng.randrange(100, 30000)
    on = d.paid_on([invoice])
    form = d.rng.choice(("exact", "exact", "prefix_dropped", "zeros_lost"))
    text = d.ref_text(customer, invoice, form, on)
    line = d.line(invoice.open_minor + extra, invoice.currency, d.present(customer), text, on)
    expected = Expected(
        True, MatchStatus.ON_ACCOUNT, paid_in_full([invoice]), on_account_minor=extra
    )
    return line, None, expected


def small_difference(d: Drawer) -> Made | None:
    """Paid short by the bank's charges: within tolerance, the difference is written off."""
    customer = d.fresh_customer()
    if customer is None:
        return None
    invoice = d.rng.choice(d.unpaid(customer))
    limit = min(d.policy.writeoff_limit(invoice.open_minor), invoice.open_minor - 1)
    if limit < 1:
        return None
    fees = [f for f in (250, 500, 750, 1000, 1500) if f <= limit]
    fee = d.rng.choice(fees) if fees and d.rng.random() < 0.7 else d.rng.randrange(1, limit + 1)
    d.pay([invoice])
    on = d.paid_on([invoice])
    form = d.rng.choice(("exact", "exact", "prefix_dropped", "zeros_lost"))
    text = d.ref_text(customer, invoice, form, on)
    paid = invoice.open_minor - fee
    line = d.line(paid, invoice.currency, d.present(customer), text, on)
    allocation = (Allocation(invoice.item_id, paid, writeoff_minor=fee),)
    return line, None, Expected(True, MatchStatus.APPLIED, allocation)


def parent_pays(d: Drawer) -> Made | None:
    """A group's head office pays its subsidiaries' invoices from its own account."""
    parents = list(d.world.children)
    for _ in range(30):
        if not parents:
            return None
        parent = d.world.by_id[d.rng.choice(parents)]
        kids = [d.world.by_id[c] for c in d.world.children[parent.profile.customer_id]]
        unpaid = [inv for kid in kids for inv in d.unpaid(kid)]
        if unpaid:
            break
    else:
        return None
    invoices = d.rng.sample(unpaid, min(len(unpaid), d.rng.randrange(1, 4)))
    payer = d.present(parent)
    if d.rng.random() < 0.3:
        return _no_ref(d, parent, invoices, payer)
    d.pay(invoices)
    on = d.paid_on(invoices)
    form = d.rng.choice(("exact", "exact", "prefix_dropped"))
    text = several([reference(inv, form, d.rng) for inv in invoices], d.rng)
    total = sum(inv.open_minor for inv in invoices)
    line = d.line(total, invoices[0].currency, payer, text, on)
    return line, None, Expected(True, MatchStatus.APPLIED, paid_in_full(invoices))


def po_only(d: Drawer) -> Made | None:
    """The payer quotes its own purchase order number, not our invoice number."""
    for _ in range(60):
        customer = d.fresh_customer()
        if customer is None:
            return None
        with_po = [i for i in d.unpaid(customer) if i.po_number]
        if with_po:
            break
    else:
        return None
    po = d.rng.choice(with_po).po_number
    invoices = [i for i in with_po if i.po_number == po]
    d.pay(invoices)
    on = d.paid_on(invoices)
    template = d.rng.choice(
        ("PO {po}", "Order {po}", "{po}", "YOUR ORDER NO {po} THANK YOU", "Bestellung {po}")
    )
    total = sum(i.open_minor for i in invoices)
    line = d.line(total, customer.currency, d.present(customer), template.format(po=po), on)
    return line, None, Expected(True, MatchStatus.APPLIED, paid_in_full(invoices))


KINDS: tuple[tuple[str, int, KindFunction], ...] = (
    ("exact_reference", 24, exact_reference),
    ("mangled_reference", 20, mangled_reference),
    ("rf_reference", 3, rf_reference),
    ("multi_with_refs", 7, multi_with_refs),
    ("multi_no_ref", 5, multi_no_ref),
    ("single_no_ref", 5, single_no_ref),
    ("short_pay", 6, short_pay),
    ("remittance_multi", 3, remittance_multi),
    ("discount", 5, discount),
    ("late_discount", 1, late_discount),
    ("overpayment", 2, overpayment),
    ("small_difference", 3, small_difference),
    ("parent_pays", 3, parent_pays),
    ("po_only", 3, po_only),
    ("ambiguous_equal", 2, ambiguous_equal),
    ("unrelated_credit", 6, unrelated_credit),
    ("debit", 2, unrelated_debit),
    ("unknown_payer_no_ref", 1, unknown_payer_no_ref),
)
