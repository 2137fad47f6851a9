"""Customers and their addresses, contacts and bank accounts: value objects and the rules.

The rules are plain functions returning every problem as a `FieldError`, so the service (one
customer) and the CSV import (thousands, reported by line) apply exactly the same checks.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from typing import Any

from o2c.kernel.currency import is_currency
from o2c.kernel.errors import FieldError
from o2c.kernel.money import Money


class _Unset(Enum):
    UNSET = "unset"


UNSET = _Unset.UNSET
"""Marks a field an update leaves as it is (None would mean: clear it)."""


class InvoiceOn(StrEnum):
    """When billing invoices a customer's orders: as they ship, or when they are confirmed."""

    SHIPMENT = "shipment"
    ORDER = "order"


class AddressKind(StrEnum):
    BILLING = "billing"
    SHIPPING = "shipping"


class ContactRole(StrEnum):
    AR = "ar"
    PURCHASING = "purchasing"
    OTHER = "other"


# IBAN lengths by country, from the SWIFT IBAN registry.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27,
    "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27,
    "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28,
    "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
    "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22,
    "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
_TAX_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 .\-/]{0,39}$")
_BIC = re.compile(r"^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$")
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_LETTER_VALUES = {letter: str(index + 10) for index, letter in enumerate(string.ascii_uppercase)}


def normalize_iban(iban: str) -> str:
    """The electronic form: no spaces, upper case ("de89 3704 ..." → "DE893704...")."""
    return "".join(iban.split()).upper()


def iban_problem(iban: str) -> str | None:
    """Why `iban` (any spacing or case) is not a valid IBAN, or None.

    Checks the shape, the country's length and the ISO 7064 mod-97 check digits, which catch
    every single-character typo and almost every transposition.
    """
    compact = normalize_iban(iban)
    if not _IBAN_SHAPE.match(compact):
        return "not an IBAN (two letters, two check digits, up to 30 letters or digits)"
    country = compact[:2]
    expected = IBAN_LENGTHS.get(country)
    if expected is None:
        return f"{country} does not issue IBANs"
    if len(compact) != expected:
        return f"a {country} IBAN has {expected} characters, not {len(compact)}"
    rearranged = compact[4:] + compact[:4]
    digits = "".join(_LETTER_VALUES.get(ch, ch) for ch in rearranged)
    if int(digits) % 97 != 1:
        return "check digits do not match (mistyped IBAN?)"
    return None


def country_problem(country: str) -> str | None:
    if not _COUNTRY.match(country):
        return "must be an ISO 3166 alpha-2 code such as DE"
    return None


def email_problem(email: str) -> str | None:
    if len(email) > 200 or not _EMAIL.match(email):
        return "not an email address"
    return None


def currency_problem(currency: str) -> str | None:
    if not is_currency(currency):
        return f"unknown currency {currency!r}"
    return None


@dataclass(frozen=True)
class Customer:
    """A bill-to party as the other domains see it (payment term and price list by id and code)."""

    id: int
    code: str
    name: str
    currency: str
    country: str | None
    tax_id: str | None
    email: str | None
    language: str
    parent_id: int | None
    payment_term_id: int | None
    payment_term: str | None
    price_list_id: int | None
    price_list: str | None
    credit_limit: Money | None
    invoice_on: InvoiceOn
    attributes: dict[str, Any]
    active: bool


@dataclass(frozen=True)
class CustomerTree:
    """A customer's place in its group: ancestors from the root down, descendants by depth."""

    customer: Customer
    ancestors: list[Customer]
    descendants: list[Customer]


@dataclass(frozen=True)
class CustomerCreate:
    """A new customer. Currency defaults to the company's base currency; payment term and price
    list are given by code."""

    code: str
    name: str
    currency: str | None = None
    country: str | None = None
    tax_id: str | None = None
    email: str | None = None
    language: str = "en"
    parent_id: int | None = None
    payment_term: str | None = None
    price_list: str | None = None
    credit_limit: Money | None = None
    invoice_on: InvoiceOn = InvoiceOn.SHIPMENT
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CustomerUpdate:
    """Fields to change; UNSET leaves a field as it is, None clears an optional one. The code
    and the currency are fixed once a customer exists (documents and balances refer to them)."""

    name: str | _Unset = UNSET
    country: str | _Unset | None = UNSET
    tax_id: str | _Unset | None = UNSET
    email: str | _Unset | None = UNSET
    language: str | _Unset = UNSET
    parent_id: int | _Unset | None = UNSET
    payment_term: str | _Unset | None = UNSET
    price_list: str | _Unset | None = UNSET
    credit_limit: Money | _Unset | None = UNSET
    invoice_on: InvoiceOn | _Unset = UNSET
    attributes: dict[str, Any] | _Unset = UNSET
    active: bool | _Unset = UNSET


def customer_problems(
    *,
    code: str | None,
    name: str,
    currency: str,
    country: str | None,
    tax_id: str | None,
    email: str | None,
    language: str,
    credit_limit: Money | None,
) -> list[FieldError]:
    """Every rule a customer's own fields break (code None: the code is not being set)."""
    errors: list[FieldError] = []
    if code is not None and (not code.strip() or code != code.strip() or len(code) > 60):
        errors.append(FieldError("code", "must be 1 to 60 characters without surrounding spaces"))
    if not name.strip() or len(name) > 200:
        errors.append(FieldError("name", "must be 1 to 200 characters"))
    checks = [
        ("currency", currency_problem(currency)),
        ("country", country_problem(country) if country is not None else None),
        ("email", email_problem(email) if email is not None else None),
    ]
    errors += [FieldError(field_, reason) for field_, reason in checks if reason]
    if tax_id is not None and not _TAX_ID.match(tax_id):
        errors.append(FieldError("tax_id", "must be 1 to 40 letters, digits, spaces or . - /"))
    if not _LANGUAGE.match(language):
        errors.append(FieldError("language", "must be a language tag such as en, de or pt-BR"))
    if credit_limit is not None:
        if credit_limit.currency != currency:
            errors.append(
                FieldError("credit_limit", f"must be in the customer's currency {currency}")
            )
        if credit_limit.amount < 0:
            errors.append(FieldError("credit_limit", "must not be negative"))
    return errors


def hierarchy_problem(
    customer_id: int, new_parent_id: int, parents: dict[int, int | None]
) -> str | None:
    """Why `new_parent_id` cannot become the parent of `customer_id`, or None.

    `parents` maps each customer on the new parent's path to the root to its parent.
    """
    seen: set[int] = set()
    current: int | None = new_parent_id
    while current is not None:
        if current == customer_id:
            return "would make the customer its own ancestor"
        if current in seen:
            return "the parent's hierarchy already has a cycle"
        seen.add(current)
        current = parents.get(current)
    return None


@dataclass(frozen=True)
class Address:
    id: int
    customer_id: int
    kind: AddressKind
    line1: str
    line2: str | None
    city: str
    postal_code: str | None
    region: str | None
    country: str
    is_default: bool


@dataclass(frozen=True)
class AddressCreate:
    kind: AddressKind
    line1: str
    city: str
    country: str
    line2: str | None = None
    postal_code: str | None = None
    region: str | None = None
    is_default: bool = True


def address_problems(cmd: AddressCreate) -> list[FieldError]:
    errors: list[FieldError] = []
    for name, value, limit in (("line1", cmd.line1, 200), ("city", cmd.city, 100)):
        if not value.strip() or len(value) > limit:
            errors.append(FieldError(name, f"must be 1 to {limit} characters"))
    for name, optional, limit in (
        ("line2", cmd.line2, 200),
        ("postal_code", cmd.postal_code, 20),
        ("region", cmd.region, 100),
    ):
        if optional is not None and len(optional) > limit:
            errors.append(FieldError(name, f"at most {limit} characters"))
    problem = country_problem(cmd.country)
    if problem:
        errors.append(FieldError("country", problem))
    return errors


@dataclass(frozen=True)
class Contact:
    id: int
    customer_id: int
    name: str
    email: str | None
    phone: str | None
    role: ContactRole


@dataclass(frozen=True)
class ContactCreate:
    name: str
    email: str | None = None
    phone: str | None = None
    role: ContactRole = ContactRole.AR


_PHONE = re.compile(r"^\+?[0-9 ()./\-]{3,40}$")


def contact_problems(cmd: ContactCreate) -> list[FieldError]:
    errors: list[FieldError] = []
    if not cmd.name.strip() or len(cmd.name) > 200:
        errors.append(FieldError("name", "must be 1 to 200 characters"))
    problem = email_problem(cmd.email) if cmd.email is not None else None
    if problem:
        errors.append(FieldError("email", problem))
    if cmd.phone is not None and not _PHONE.match(cmd.phone):
        errors.append(FieldError("phone", "must be digits, spaces and ( ) . / - with optional +"))
    if cmd.email is None and cmd.phone is None:
        errors.append(FieldError("email", "a contact needs an email address or a phone number"))
    return errors


@dataclass(frozen=True)
class BankAccount:
    id: int
    customer_id: int
    iban: str
    bic: str | None
    holder: str | None


@dataclass(frozen=True)
class BankAccountCreate:
    iban: str
    bic: str | None = None
    holder: str | None = None


def bank_account_problems(cmd: BankAccountCreate) -> list[FieldError]:
    errors: list[FieldError] = []
    problem = iban_problem(cmd.iban)
    if problem:
        errors.append(FieldError("iban", problem))
    if cmd.bic is not None and not _BIC.match(cmd.bic.upper()):
        errors.append(FieldError("bic", "not a BIC (8 or 11 letters and digits)"))
    if cmd.holder is not None and (not cmd.holder.strip() or len(cmd.holder) > 200):
        errors.append(FieldError("holder", "must be 1 to 200 characters"))
    return errors
