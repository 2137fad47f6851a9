"""The customers API's documents. Money travels as `{"amount": "12.34", "currency": "EUR"}`.

Patch documents change only the fields a client sends: an omitted field stays as it is, an
explicit null clears an optional one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from o2c.db.deps import MoneyOut
from o2c.db.sensitive import MaskedAccount, MaskedTaxId
from o2c.kernel.currency import minor_units
from o2c.kernel.money import Money
from o2c.parties.model import (
    UNSET,
    Address,
    AddressCreate,
    AddressKind,
    BankAccount,
    BankAccountCreate,
    Contact,
    ContactCreate,
    ContactRole,
    Customer,
    CustomerCreate,
    CustomerTree,
    CustomerUpdate,
    InvoiceOn,
)


class MoneyIn(BaseModel):
    """Money from a client: a decimal string with no more places than its currency has."""

    model_config = ConfigDict(extra="forbid")

    amount: str = Field(pattern=r"^-?\d{1,15}(\.\d{1,4})?$", examples=["1250.00"])
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["EUR"])

    @model_validator(mode="after")
    def _fits_the_currency(self) -> MoneyIn:
        places = minor_units(self.currency)  # ValueError for an unknown code: a 422
        if "." in self.amount and len(self.amount.split(".")[1]) > places:
            raise ValueError(f"{self.currency} amounts have at most {places} decimal places")
        return self

    def to_money(self) -> Money:
        return Money(Decimal(self.amount), self.currency)


class CustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(examples=["C-10023"])
    name: str
    currency: str | None = Field(default=None, description="Default: the company's currency")
    country: str | None = Field(default=None, examples=["DE"])
    tax_id: str | None = None
    email: str | None = None
    language: str = "en"
    parent_id: int | None = None
    payment_term: str | None = Field(default=None, examples=["NET30"])
    price_list: str | None = None
    credit_limit: MoneyIn | None = None
    invoice_on: InvoiceOn = InvoiceOn.SHIPMENT
    attributes: dict[str, Any] = Field(default_factory=dict)

    def command(self) -> CustomerCreate:
        fields = self.model_dump(exclude={"credit_limit"})
        limit = None if self.credit_limit is None else self.credit_limit.to_money()
        return CustomerCreate(**fields, credit_limit=limit)


class CustomerPatch(BaseModel):
    """Only the fields sent change. Code and currency are fixed once a customer exists."""

    model_config = ConfigDict(extra="forbid")

    # Not nullable: the defaults are never used, an omitted field is left alone.
    name: str = ""
    language: str = ""
    invoice_on: InvoiceOn = InvoiceOn.SHIPMENT
    attributes: dict[str, Any] = Field(default_factory=dict)
    active: bool = True
    # Nullable: null clears them.
    country: str | None = None
    tax_id: str | None = None
    email: str | None = None
    parent_id: int | None = None
    payment_term: str | None = None
    price_list: str | None = None
    credit_limit: MoneyIn | None = None

    def command(self) -> CustomerUpdate:
        sent: dict[str, Any] = {
            name: getattr(self, name) for name in self.model_fields_set if name != "credit_limit"
        }
        if "credit_limit" in self.model_fields_set:
            sent["credit_limit"] = (
                None if self.credit_limit is None else self.credit_limit.to_money()
            )
        return CustomerUpdate(**{k: sent.get(k, UNSET) for k in CustomerPatch.model_fields})


class CustomerRead(BaseModel):
    id: int
    code: str
    name: str
    currency: str
    country: str | None
    tax_id: MaskedTaxId | None
    email: str | None
    language: str
    parent_id: int | None
    payment_term: str | None
    price_list: str | None
    credit_limit: MoneyOut | None
    invoice_on: InvoiceOn
    attributes: dict[str, Any]
    active: bool

    @classmethod
    def of(cls, customer: Customer) -> CustomerRead:
        limit = customer.credit_limit
        return cls(
            id=customer.id,
            code=customer.code,
            name=customer.name,
            currency=customer.currency,
            country=customer.country,
            tax_id=customer.tax_id,
            email=customer.email,
            language=customer.language,
            parent_id=customer.parent_id,
            payment_term=customer.payment_term,
            price_list=customer.price_list,
            credit_limit=None if limit is None else MoneyOut.of(limit),
            invoice_on=customer.invoice_on,
            attributes=customer.attributes,
            active=customer.active,
        )


class CustomerTreeRead(BaseModel):
    customer: CustomerRead
    ancestors: list[CustomerRead] = Field(description="From the root down to the parent")
    descendants: list[CustomerRead] = Field(description="Nearest generation first")

    @classmethod
    def of(cls, tree: CustomerTree) -> CustomerTreeRead:
        return cls(
            customer=CustomerRead.of(tree.customer),
            ancestors=[CustomerRead.of(c) for c in tree.ancestors],
            descendants=[CustomerRead.of(c) for c in tree.descendants],
        )


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: AddressKind
    line1: str
    line2: str | None = None
    city: str
    postal_code: str | None = None
    region: str | None = None
    country: str = Field(examples=["DE"])
    is_default: bool = True

    def command(self) -> AddressCreate:
        return AddressCreate(**self.model_dump())


class AddressRead(AddressIn):
    id: int
    customer_id: int

    @classmethod
    def of(cls, address: Address) -> AddressRead:
        return cls.model_validate(address, from_attributes=True)


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    email: str | None = None
    phone: str | None = None
    role: ContactRole = ContactRole.AR

    def command(self) -> ContactCreate:
        return ContactCreate(**self.model_dump())


class ContactRead(ContactIn):
    id: int
    customer_id: int

    @classmethod
    def of(cls, contact: Contact) -> ContactRead:
        return cls.model_validate(contact, from_attributes=True)


class BankAccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    iban: str = Field(examples=["DE89 3704 0044 0532 0130 00"])
    bic: str | None = None
    holder: str | None = None

    def command(self) -> BankAccountCreate:
        return BankAccountCreate(**self.model_dump())


class BankAccountRead(BankAccountIn):
    iban: MaskedAccount
    id: int
    customer_id: int

    @classmethod
    def of(cls, account: BankAccount) -> BankAccountRead:
        return cls.model_validate(account, from_attributes=True)
