"""Normal forms of names, accounts and document numbers, so that different spellings meet.

Bank name fields drop accents, change case, cut at 35 characters and carry the legal form in
any spelling; payers copy invoice numbers without the prefix, without leading zeros or with
other separators. Each normal form here removes one such difference, the same way on both
sides of a comparison.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

LEGAL_FORMS = frozenset(
    {
        "ab",
        "ag",
        "aps",
        "as",
        "asa",
        "bv",
        "bvba",
        "co",
        "company",
        "corp",
        "corporation",
        "cv",
        "eg",
        "ev",
        "gbr",
        "gmbh",
        "inc",
        "incorporated",
        "kft",
        "kg",
        "kgaa",
        "limited",
        "llc",
        "llp",
        "lp",
        "ltd",
        "mbh",
        "nv",
        "ohg",
        "oy",
        "oyj",
        "plc",
        "pte",
        "pty",
        "sa",
        "sarl",
        "sas",
        "se",
        "sl",
        "spa",
        "sp",
        "srl",
        "sro",
        "the",
        "ug",
        "zoo",
    }
)
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_DIGRAPHS = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("ss", "s"))


def fold(text: str) -> str:
    """Lower case ASCII words: accents dropped, umlaut spellings merged, punctuation gone.

    "Müller", "MUELLER" and "Muller" all fold to "muller": German banks spell umlauts as
    digraphs, others drop them. Dots go without a gap, so "B.V." meets "BV".
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("ß", "ss").replace(".", ""))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii").lower()
    for digraph, letter in _DIGRAPHS:
        ascii_text = ascii_text.replace(digraph, letter)
    return " ".join(_NOT_ALNUM.split(ascii_text)).strip()


CONNECTORS = frozenset({"and", "und", "u", "et", "en", "y"})


def name_key(name: str) -> str:
    """The folded name without legal forms and connecting words.

    "ACME Trading GmbH & Co. KG" and "Acme Trading GmbH u. Co. KG" both → "acme trading".
    """
    return core_words(fold(name))


def core_words(folded: str) -> str:
    """`name_key` of an already folded name."""
    words = folded.split()
    core = [w for w in words if w not in LEGAL_FORMS and w not in CONNECTORS]
    return " ".join(core or words)


_NOT_ALNUM_UPPER = re.compile(r"[^0-9A-Z]+")


def account_key(account: str) -> str:
    """An IBAN or account number without spaces and in upper case."""
    return _NOT_ALNUM_UPPER.sub("", account.upper())


def zero_free(digits: str) -> str:
    """The digits without any zero: the index key that every zero-padding variant shares."""
    return digits.replace("0", "")


_DIGIT_GROUPS = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class NumberForms:
    """The forms a document number is written in, from the most to the least literal.

    For "INV-2026-001926": compact "INV2026001926", digits "2026001926", stripped
    "20261926" (each group without leading zeros), tail "1926" (the serial alone).
    """

    compact: str
    digits: str
    stripped: str
    tail: str

    @property
    def key(self) -> str:
        return zero_free(self.digits)


def number_forms(number: str) -> NumberForms | None:
    """Forms of a document number, or None when it holds no digit to match on."""
    groups = _DIGIT_GROUPS.findall(number)
    if not groups:
        return None
    digits = "".join(groups).lstrip("0")
    stripped = "".join([g.lstrip("0") for g in groups])
    compact = _NOT_ALNUM_UPPER.sub("", number.upper())
    return NumberForms(compact, digits, stripped, groups[-1].lstrip("0"))


def compact_text(text: str) -> str:
    """Upper-case letters and digits only: where a literal invoice number is looked for."""
    return _NOT_ALNUM_UPPER.sub("", text.upper())
