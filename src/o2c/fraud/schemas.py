"""Pydantic I/O of the fraud review queue: alerts, reviews and scans."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from o2c.db.sensitive import masked_json
from o2c.fraud.model import AlertStatus, Decision, Rule, Severity
from o2c.fraud.service import ScanResult


class AlertRead(BaseModel):
    """An alert with its evidence; account numbers in the evidence are masked unless the
    caller may read sensitive data."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    rule: Rule
    severity: Severity
    status: AlertStatus
    customer_id: int | None
    summary: str
    evidence: dict[str, Any]
    raised_at: datetime
    reviewer: str | None
    reviewed_at: datetime | None
    note: str | None

    @field_serializer("evidence")
    def _masked(self, evidence: dict[str, Any]) -> Any:
        return masked_json(evidence)


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Decision
    note: str = Field(min_length=1, max_length=2000)


class ScanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = Field(default=None, description="Last day scanned; today if absent")


class ScanRead(BaseModel):
    since: date
    as_of: date
    found: dict[str, int]
    raised: dict[str, int]
    alert_ids: list[int]

    @classmethod
    def of(cls, result: ScanResult) -> ScanRead:
        return cls(
            since=result.since,
            as_of=result.as_of,
            found=result.found,
            raised=result.raised,
            alert_ids=result.alert_ids,
        )
