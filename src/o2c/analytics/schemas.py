"""Pydantic I/O models of the analytics API (the KPI object itself is a documented dict)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from o2c.analytics.service import TrainedModel


class TrainedModelRead(BaseModel):
    """A stored payment-date model: its version and the time-split evaluation's scores."""

    id: int
    version: int
    trained_as_of: date
    training_count: int
    metrics: dict[str, Any]

    @classmethod
    def of(cls, trained: TrainedModel) -> TrainedModelRead:
        return cls(
            id=trained.id,
            version=trained.version,
            trained_as_of=trained.trained_as_of,
            training_count=trained.training_count,
            metrics=dict(trained.metrics),
        )
