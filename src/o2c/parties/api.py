"""The customers API: customers, their hierarchy, addresses, contacts and bank accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from o2c.db.deps import ActorDep, IdempotencyKeyDep, Page, PageParamsDep, UowDep, run_once
from o2c.parties.contacts import (
    add_address,
    add_bank_account,
    add_contact,
    list_addresses,
    list_bank_accounts,
    list_contacts,
    remove_address,
    remove_bank_account,
    remove_contact,
)
from o2c.parties.model import ContactRole
from o2c.parties.schemas import (
    AddressIn,
    AddressRead,
    BankAccountIn,
    BankAccountRead,
    ContactIn,
    ContactRead,
    CustomerIn,
    CustomerPatch,
    CustomerRead,
    CustomerTreeRead,
)
from o2c.parties.service import (
    create_customer,
    customer_tree,
    find_customer,
    get_customer,
    list_customers,
    update_customer,
)

router = APIRouter(prefix="/customers", tags=["customers"])

Created = status.HTTP_201_CREATED
Removed = status.HTTP_204_NO_CONTENT


@router.get("", summary="Customers by code, one page at a time")
def get_customers(
    uow: UowDep,
    actor: ActorDep,
    page: PageParamsDep,
    search: Annotated[str | None, Query(description="Part of code, name or tax id")] = None,
    parent_id: int | None = None,
    active: bool | None = None,
) -> Page[CustomerRead]:
    customers, total = list_customers(
        uow,
        actor,
        search=search,
        parent_id=parent_id,
        active=active,
        limit=page.limit,
        offset=page.offset,
    )
    return Page.of([CustomerRead.of(c) for c in customers], total, page)


@router.post("", status_code=Created, summary="Add a customer")
def post_customer(
    uow: UowDep, actor: ActorDep, body: CustomerIn, key: IdempotencyKeyDep = None
) -> CustomerRead:
    """Retried with the same Idempotency-Key, answers the customer the first call created."""

    def create() -> int:
        return create_customer(uow, actor, body.command()).id

    customer_id = run_once(uow, actor.company_id, "parties.customer", key, body, create)
    return CustomerRead.of(get_customer(uow, actor, customer_id))


@router.get("/by-code/{code}", summary="The customer with this code")
def get_customer_by_code(uow: UowDep, actor: ActorDep, code: str) -> CustomerRead:
    return CustomerRead.of(find_customer(uow, actor, code))


@router.get("/{customer_id}", summary="One customer")
def get_one_customer(uow: UowDep, actor: ActorDep, customer_id: int) -> CustomerRead:
    return CustomerRead.of(get_customer(uow, actor, customer_id))


@router.patch("/{customer_id}", summary="Change the fields sent")
def patch_customer(
    uow: UowDep, actor: ActorDep, customer_id: int, body: CustomerPatch
) -> CustomerRead:
    return CustomerRead.of(update_customer(uow, actor, customer_id, body.command()))


@router.get("/{customer_id}/tree", summary="Ancestors and descendants in the customer group")
def get_customer_tree(uow: UowDep, actor: ActorDep, customer_id: int) -> CustomerTreeRead:
    return CustomerTreeRead.of(customer_tree(uow, actor, customer_id))


@router.get("/{customer_id}/addresses", summary="Billing and shipping addresses")
def get_addresses(uow: UowDep, actor: ActorDep, customer_id: int) -> list[AddressRead]:
    return [AddressRead.of(a) for a in list_addresses(uow, actor, customer_id)]


@router.post("/{customer_id}/addresses", status_code=Created, summary="Add an address")
def post_address(uow: UowDep, actor: ActorDep, customer_id: int, body: AddressIn) -> AddressRead:
    return AddressRead.of(add_address(uow, actor, customer_id, body.command()))


@router.delete("/{customer_id}/addresses/{address_id}", status_code=Removed)
def delete_address(uow: UowDep, actor: ActorDep, customer_id: int, address_id: int) -> Response:
    remove_address(uow, actor, customer_id, address_id)
    return Response(status_code=Removed)


@router.get("/{customer_id}/contacts", summary="People to write to")
def get_contacts(
    uow: UowDep, actor: ActorDep, customer_id: int, role: ContactRole | None = None
) -> list[ContactRead]:
    return [ContactRead.of(c) for c in list_contacts(uow, actor, customer_id, role)]


@router.post("/{customer_id}/contacts", status_code=Created, summary="Add a contact")
def post_contact(uow: UowDep, actor: ActorDep, customer_id: int, body: ContactIn) -> ContactRead:
    return ContactRead.of(add_contact(uow, actor, customer_id, body.command()))


@router.delete("/{customer_id}/contacts/{contact_id}", status_code=Removed)
def delete_contact(uow: UowDep, actor: ActorDep, customer_id: int, contact_id: int) -> Response:
    remove_contact(uow, actor, customer_id, contact_id)
    return Response(status_code=Removed)


@router.get("/{customer_id}/bank-accounts", summary="Accounts the customer pays from")
def get_bank_accounts(uow: UowDep, actor: ActorDep, customer_id: int) -> list[BankAccountRead]:
    return [BankAccountRead.of(a) for a in list_bank_accounts(uow, actor, customer_id)]


@router.post("/{customer_id}/bank-accounts", status_code=Created, summary="Add a bank account")
def post_bank_account(
    uow: UowDep, actor: ActorDep, customer_id: int, body: BankAccountIn
) -> BankAccountRead:
    return BankAccountRead.of(add_bank_account(uow, actor, customer_id, body.command()))


@router.delete("/{customer_id}/bank-accounts/{bank_account_id}", status_code=Removed)
def delete_bank_account(
    uow: UowDep, actor: ActorDep, customer_id: int, bank_account_id: int
) -> Response:
    remove_bank_account(uow, actor, customer_id, bank_account_id)
    return Response(status_code=Removed)
