"""Statement lines that are no customer payment: interest, supplier refunds, transfers
between own accounts, card acquirer settlements, tax refunds, and the debits.

Their texts carry numbers (the supplier's credit note, the acquirer's batch, the tax office's
file number) that may look like our invoice numbers by chance, as they do in real life.
"""

from __future__ import annotations

import random
from datetime import timedelta

from bench.cashapp.draw import Drawer, Expected, Made, Payer
from bench.cashapp.mangling import bank_name
from bench.cashapp.world import AS_OF, LEGAL_FORMS, brand, iban

from o2c.cashapp.model import MatchStatus

ACQUIRERS = (
    "WORLDPAY (UK) LIMITED",
    "ADYEN N.V.",
    "STRIPE PAYMENTS EUROPE LTD",
    "PAYPAL EUROPE S.A R.L. ET CIE S.C.A",
    "CONCARDIS GMBH",
)
NOT_OURS = Expected(False, MatchStatus.UNMATCHED)


def _supplier(rng: random.Random) -> str:
    trade = rng.choice(("Spedition", "Office Supply", "IT Services", "Energie"))
    return f"{brand(rng)} {trade} {rng.choice(LEGAL_FORMS['DE'])}"


def _credit(d: Drawer) -> tuple[Payer, str, int]:
    rng = d.rng
    roll = rng.random()
    number = rng.randrange(1000, 99_999_999)
    if roll < 0.25:
        text = rng.choice(
            (
                "HABENZINSEN 01.01.2026-31.03.2026",
                "INTEREST CREDIT Q1 2026",
                "ZINSGUTSCHRIFT KTO 4711",
            )
        )
        return Payer("", "", False), text, rng.randrange(5, 40000)
    if roll < 0.5:
        name = bank_name(_supplier(rng), rng)
        text = rng.choice(
            (
                f"GUTSCHRIFT ZU RECHNUNG {number}",
                f"REFUND CREDIT NOTE CN-{number}",
                f"Rueckerstattung Beleg {number}",
            )
        )
        return Payer(name, iban("DE", rng), False), text, rng.randrange(2000, 500000)
    if roll < 0.7:
        account = rng.choice(d.world.own_accounts)
        text = rng.choice(("UMBUCHUNG", "TRANSFER FROM SAVINGS", "Liquiditaetsausgleich"))
        return Payer("O2C DEMO AG", account, False), text, rng.randrange(100000, 10000000)
    if roll < 0.9:
        batch = rng.randrange(10**6, 10**9)
        day = AS_OF - timedelta(days=rng.randrange(30))
        text = f"SETTLEMENT {day:%Y-%m-%d} MID {number} BATCH {batch}"
        return (
            Payer(rng.choice(ACQUIRERS), iban("NL", rng), False),
            text,
            rng.randrange(10000, 2000000),
        )
    text = f"ERSTATTUNG UST 2025 STNR 143/{rng.randrange(100, 999)}/{rng.randrange(10000, 99999)}"
    return Payer("FINANZAMT MUENCHEN", iban("DE", rng), False), text, rng.randrange(10000, 5000000)


def unrelated_credit(d: Drawer) -> Made | None:
    payer, text, amount = _credit(d)
    on = AS_OF - timedelta(days=d.rng.randrange(60))
    return d.line(amount, "EUR", payer, text, on), None, NOT_OURS


def unrelated_debit(d: Drawer) -> Made | None:
    rng = d.rng
    roll = rng.random()
    if roll < 0.4:
        payer, text = (
            Payer(bank_name(_supplier(rng), rng), iban("DE", rng), False),
            "ZAHLUNG RE 88123",
        )
    elif roll < 0.7:
        payer, text = Payer("", "", False), "KONTOFUEHRUNGSGEBUEHR 03/2026"
    else:
        payer, text = (
            Payer("FINANZAMT MUENCHEN", iban("DE", rng), False),
            "UST-VORAUSZAHLUNG 02/2026",
        )
    on = AS_OF - timedelta(days=rng.randrange(60))
    return d.line(-rng.randrange(500, 2_000_000), "EUR", payer, text, on), None, NOT_OURS
