"""How payers and their banks garble names and references on the way to our statement.

Each function draws one realistic variant: bank name fields in capitals, with the umlauts
spelled out, the legal form abbreviated differently, cut at 35 characters or mistyped;
invoice numbers without the prefix, without the zeros, with other separators, with two digits
swapped, by serial only, and buried in the payer's own wording.
"""

from __future__ import annotations

import random
import string
from datetime import date

from o2c.cashapp.model import OpenInvoice

_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "ss"}
)
_LEGAL_SPELLINGS = {
    "GmbH": ("GMBH", "G.m.b.H.", "Gmbh"),
    "Ltd": ("LTD", "Limited", "LTD."),
    "Limited": ("LTD", "Ltd"),
    "Inc.": ("INC", "Incorporated"),
    "B.V.": ("BV", "B V"),
    "AG": ("A.G.",),
    "GmbH & Co. KG": ("GMBH + CO KG", "GmbH u. Co. KG", "GMBH&CO.KG"),
}


def bank_name(name: str, rng: random.Random) -> str:
    """The legal name as a bank transmits it: capitals, transliteration, other legal spelling."""
    text = name
    for legal, spellings in _LEGAL_SPELLINGS.items():
        if text.endswith(" " + legal) and rng.random() < 0.4:
            text = text[: -len(legal)] + rng.choice(spellings)
    if rng.random() < 0.5:
        text = text.translate(_UMLAUTS)
    if rng.random() < 0.6:
        text = text.upper()
    if rng.random() < 0.15:
        text = " ".join(text.split()[:-1]) or text
    return text[:70]


def truncated(name: str, rng: random.Random) -> str:
    """The name cut by a bank's fixed-width field."""
    text = bank_name(name, rng)
    width = rng.choice((35, 35, 27))
    return text[:width] if len(text) > width else text.upper()


def misspelled(name: str, rng: random.Random) -> str:
    """One typing slip (a letter dropped, doubled or replaced) in the name."""
    text = bank_name(name, rng)
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 6:
        return text
    i = rng.choice(letters[2:])
    slip = rng.randrange(3)
    if slip == 0:
        return text[:i] + text[i + 1 :]
    if slip == 1:
        return text[:i] + text[i] + text[i:]
    return text[:i] + rng.choice(string.ascii_uppercase) + text[i + 1 :]


def _parts(invoice: OpenInvoice) -> tuple[str, str, str]:
    prefix, year, serial = invoice.number.split("-")
    return prefix, year, serial


def transposed(serial: str, rng: random.Random) -> str:
    positions = [i for i in range(len(serial) - 1) if serial[i] != serial[i + 1]]
    positions = [i for i in positions if serial[: i + 1].strip("0")] or positions
    if not positions:
        return serial
    i = rng.choice(positions)
    return serial[:i] + serial[i + 1] + serial[i] + serial[i + 2 :]


MANGLINGS = (
    ("prefix_dropped", 3),
    ("zeros_lost", 3),
    ("separators", 3),
    ("serial_only", 2),
    ("transposed", 1),
)


def reference(invoice: OpenInvoice, form: str, rng: random.Random) -> str:
    """The invoice number as a payer writes it in the given form."""
    prefix, year, serial = _parts(invoice)
    short = serial.lstrip("0")
    if form == "exact":
        return rng.choice((invoice.number, invoice.number, invoice.number.lower()))
    if form == "prefix_dropped":
        return rng.choice((f"{year}-{serial}", f"{year}{serial}", f"{year} {serial}"))
    if form == "zeros_lost":
        forms = (f"{prefix} {year}-{short}", f"{year}/{short}", f"{year}{short}")
        return rng.choice((*forms, f"{prefix}{year}{short}"))
    if form == "separators":
        forms = (f"{prefix}/{year}/{serial}", f"{prefix}{year}{serial}", f"{year}.{serial}")
        return rng.choice((*forms, f"{prefix} {year} {serial}", f"{prefix}_{year}_{serial}"))
    if form == "serial_only":
        return rng.choice((short, serial, f"RG {short}", f"Rechnung {serial}", f"Inv {short}"))
    if form == "transposed":
        return rng.choice(
            (f"{prefix}-{year}-{transposed(serial, rng)}", f"{year}{transposed(serial, rng)}")
        )
    raise ValueError(form)


_WRAPPERS = (
    "{ref}",
    "{ref}",
    "PAYMENT {ref} THANK YOU",
    "RE: {ref}",
    "Invoice {ref} dated {date}",
    "Rechnung {ref} vom {date}",
    "ZAHLUNG {ref} KUNDENNR {code}",
    "/INV/{ref}/",
    "SEPA-UEBERWEISUNG {ref} EREF: {noise}",
    "OUR REF {noise} YOUR INV {ref}",
    "{ref} BELEG {noise}",
    "Payment of invoice {ref} EUR {amount}",
    "Inv. {ref} - thanks",
)


def wrap(reference_text: str, rng: random.Random, code: str, on: date, amount: str) -> str:
    """Bury a reference in the words a payer or its bank adds around it."""
    template = rng.choice(_WRAPPERS)
    noise = str(rng.randrange(10**5, 10**8))
    day = rng.choice((on.strftime("%d.%m.%Y"), on.isoformat(), on.strftime("%d/%m/%Y")))
    return template.format(ref=reference_text, date=day, code=code, noise=noise, amount=amount)


def several(references: list[str], rng: random.Random) -> str:
    """Several references in one text field, the way payers list them."""
    joiner = rng.choice((", ", " ", "; ", " / ", " + "))
    return rng.choice(("", "INVOICES ", "RE ", "Rechnungen ")) + joiner.join(references)
