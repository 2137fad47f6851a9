"""A remittance advice linked to the bank line: the payer's own account of what it pays.

Each item names an invoice (or a PO), the amount paid, a discount taken and adjustments with
X12 reason codes. The reading follows the advice item by item: an earned discount is written
off, an unearned one and every adjustment become the deduction, a small unexplained
difference is written off, and whatever the advice pays beyond an invoice stays on account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from o2c.cashapp.candidates import Quality
from o2c.cashapp.decide import PAYER_CAP, LineReader
from o2c.cashapp.fitting import discount_allowed
from o2c.cashapp.model import Allocation
from o2c.cashapp.references import extract_mentions
from o2c.cashapp.scoring import Evidence, Hypothesis, show
from o2c.formats.remittance import Remittance, RemittanceItem
from o2c.kernel.currency import minor_units

ADVICE = 5.0
TOTAL_AGREES = 3.0
ITEM_MISSING = -8.0
TOTAL_DIFFERS = -6.0

# X12 element 426, Adjustment Reason Code: the codes payers use on 820 deductions.
ADJUSTMENT_REASONS = {
    "01": "pricing error",
    "02": "allowance/charge error",
    "03": "extension error",
    "04": "item not accepted - damaged",
    "05": "item not accepted - quality",
    "06": "quantity contested",
    "07": "incorrect product",
    "11": "returns - damage",
    "12": "returns - quality",
    "19": "duplicate billing",
    "22": "weight error",
    "24": "incorrect discount",
    "25": "item not accepted",
    "43": "missing discount",
    "54": "freight deducted",
    "55": "tax deducted",
    "56": "advertising allowance taken",
    "57": "volume discount taken",
    "59": "item not received",
}


def adjustment_reason(code: str, text: str = "") -> str:
    """A readable reason for an adjustment: "04 item not accepted - damaged"."""
    meaning = ADJUSTMENT_REASONS.get(code.strip(), text.strip() or "no description")
    return f"{code.strip()} {meaning}".strip()


@dataclass
class _Tally:
    allocations: list[Allocation] = field(default_factory=list)
    deduction: int = 0
    reasons: list[str] = field(default_factory=list)
    missing: int = 0


class AdviceReader:
    """Turns one remittance into one hypothesis for the line it is linked to."""

    def __init__(self, reader: LineReader, remittance: Remittance) -> None:
        self.reader = reader
        self.remittance = remittance
        self.exponent = minor_units(reader.scene.line.currency)

    def minor(self, amount: Decimal | None) -> int:
        return int(abs(amount or Decimal(0)).scaleb(self.exponent))

    def resolve(self, item: RemittanceItem) -> int | None:
        """The open item the advice names: in the payer's family first, then unique anywhere."""
        reader = self.reader
        if item.ref_type.upper() == "PO":
            indices = [i for i in reader.index.by_po(item.invoice_ref) if reader.usable(i)]
        else:
            best: dict[int, Quality] = {}
            for mention in extract_mentions([item.invoice_ref]):
                for hit in reader.index.lookup(mention, item.invoice_ref.upper()):
                    if reader.usable(hit.index) and hit.quality >= Quality.STRIPPED:
                        best[hit.index] = max(hit.quality, best.get(hit.index, hit.quality))
            indices = list(best)
        scope = reader.scene.scope
        own = [i for i in indices if reader.index.invoices[i].customer_id in scope]
        chosen = own or indices
        return chosen[0] if len(chosen) == 1 else None

    def _settle(self, index: int, item: RemittanceItem, tally: _Tally) -> None:
        reader = self.reader
        invoice = reader.index.invoices[index]
        open_minor = reader.index.open_minor[index]
        paid = self.minor(item.paid)
        applied = min(paid, open_minor)
        discount = min(self.minor(item.discount), open_minor - applied)
        if discount and not discount_allowed(invoice, reader.scene.paid_on, reader.policy):
            tally.reasons.append(f"{invoice.number}: discount taken after the discount date")
            discount = 0
        left = open_minor - applied - discount
        writeoff = 0
        if left and item.adjustments:
            tally.deduction += left
            codes = ", ".join(adjustment_reason(a.reason_code, a.text) for a in item.adjustments)
            tally.reasons.append(f"{invoice.number}: {codes}")
        elif left and left <= reader.policy.writeoff_limit(open_minor):
            writeoff = left
        elif left:
            tally.deduction += left
            if not any(r.startswith(invoice.number) for r in tally.reasons):
                tally.reasons.append(f"{invoice.number}: short paid per remittance")
        tally.allocations.append(Allocation(invoice.item_id, applied, discount, writeoff))

    def hypothesis(self) -> Hypothesis | None:
        reader, remittance = self.reader, self.remittance
        tally = _Tally()
        customers: list[int] = []
        for item in remittance.items:
            index = self.resolve(item)
            if index is None or any(
                a.item_id == reader.index.invoices[index].item_id for a in tally.allocations
            ):
                tally.missing += 1
                continue
            customers.append(reader.index.invoices[index].customer_id)
            self._settle(index, item, tally)
        if not tally.allocations:
            return None
        return self._hypothesis(tally, customers)

    def _hypothesis(self, tally: _Tally, customers: list[int]) -> Hypothesis:
        reader, remittance = self.reader, self.remittance
        scene = reader.scene
        currency = scene.line.currency
        listed = sum(self.minor(i.paid) for i in remittance.items)
        trace = f" {remittance.trace}" if remittance.trace else ""
        evidence = [
            Evidence(f"remittance advice{trace} lists {len(remittance.items)} item(s)", ADVICE)
        ]
        customer = max(set(customers), key=customers.count)
        match = scene.scope.get(customer)
        if match is not None:
            evidence.append(Evidence(match.reason, min(match.weight, PAYER_CAP)))
        if tally.missing:
            text = f"{tally.missing} advised item(s) not found among open items: kept on account"
            evidence.append(Evidence(text, ITEM_MISSING))
        if listed == scene.amount:
            evidence.append(Evidence("advised total equals the amount", TOTAL_AGREES))
        else:
            text = f"advised total {show(listed, currency)} differs from the amount"
            evidence.append(Evidence(text, TOTAL_DIFFERS))
        allocations = _trim(tally.allocations, scene.amount)
        applied = sum(a.amount_minor for a in allocations)
        return Hypothesis(
            customer,
            allocations,
            tuple(evidence),
            tally.deduction,
            "; ".join(tally.reasons),
            scene.amount - applied,
        )


def _trim(allocations: list[Allocation], amount: int) -> tuple[Allocation, ...]:
    """Never apply more than the line brings: cut the last allocations back to the amount."""
    kept = []
    left = amount
    for allocation in allocations:
        paid = min(allocation.amount_minor, left)
        if paid <= 0 and allocation.discount_minor == 0 and allocation.writeoff_minor == 0:
            continue
        kept.append(
            Allocation(
                allocation.item_id, paid, allocation.discount_minor, allocation.writeoff_minor
            )
        )
        left -= paid
    return tuple(kept)
