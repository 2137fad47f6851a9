"""Bank-detail changes under four eyes: request, list, approve, reject."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict

from o2c.db.deps import ActorDep, UowDep
from o2c.parties.bank_changes import (
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
    approve_bank_change,
    list_bank_changes,
    reject_bank_change,
    request_bank_change,
)
from o2c.parties.schemas import BankAccountIn
from o2c.parties.tables import BankDetailChange

router = APIRouter(tags=["customers"])


class BankChangeIn(BaseModel):
    """`add` with `account`, or `remove` with `bank_account_id`."""

    model_config = ConfigDict(extra="forbid")

    kind: ChangeKind
    account: BankAccountIn | None = None
    bank_account_id: int | None = None


class BankChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    customer_id: int
    kind: ChangeKind
    iban: str | None
    bank_account_id: int | None
    status: ChangeStatus
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, change: BankDetailChange) -> BankChangeRead:
        return cls.model_validate(change)


@router.post(
    "/customers/{customer_id}/bank-changes",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Ask for a bank account to be added or removed (another user approves)",
)
def post_bank_change(
    uow: UowDep, actor: ActorDep, customer_id: int, body: BankChangeIn
) -> BankChangeRead:
    account = None if body.account is None else body.account.command()
    request = ChangeRequest(body.kind, account, body.bank_account_id)
    return BankChangeRead.of(request_bank_change(uow, actor, customer_id, request))


@router.get("/bank-changes", summary="Bank-detail changes, pending ones by default")
def get_bank_changes(
    uow: UowDep, actor: ActorDep, status: ChangeStatus | None = ChangeStatus.PENDING
) -> list[BankChangeRead]:
    return [BankChangeRead.of(c) for c in list_bank_changes(uow, actor, status)]


@router.post("/bank-changes/{change_id}/approve", summary="Approve and make a change")
def post_approval(uow: UowDep, actor: ActorDep, change_id: int) -> BankChangeRead:
    return BankChangeRead.of(approve_bank_change(uow, actor, change_id))


@router.post("/bank-changes/{change_id}/reject", summary="Reject a requested change")
def post_rejection(uow: UowDep, actor: ActorDep, change_id: int) -> BankChangeRead:
    return BankChangeRead.of(reject_bank_change(uow, actor, change_id))
