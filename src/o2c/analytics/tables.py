"""Storage of analytics: trained payment models, and the forecasts made with them.

A forecast run keeps each open invoice's predicted payment dates as they were predicted, so
the forecast can be compared afterwards with the cash that actually came in for them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from o2c.db.base import Base, BigIntId, Currency, Id, Minor, company_fk


class PaymentModelRow(Base):
    """One trained payment-date model: pickled estimators, what it learned from, its scores."""

    __tablename__ = "payment_model"
    __table_args__ = (UniqueConstraint("company_id", "version"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    version: Mapped[int]
    algorithm: Mapped[str] = mapped_column(String(120))
    trained_as_of: Mapped[date]
    trained_at: Mapped[datetime]
    trained_by: Mapped[str] = mapped_column(String(120))
    training_count: Mapped[int]
    features: Mapped[dict[str, Any]]
    metrics: Mapped[dict[str, Any]]
    model: Mapped[bytes] = mapped_column(LargeBinary)


class ForecastRun(Base):
    """The open invoices of one day, each with the dates the model expected them paid."""

    __tablename__ = "payment_forecast_run"
    __table_args__ = (Index("ix_payment_forecast_run_as_of", "company_id", "as_of"),)

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    model_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("payment_model.id"))
    as_of: Mapped[date]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(120))


class PaymentPrediction(Base):
    """An open invoice's predicted payment date with its 10%–90% interval, as of the run."""

    __tablename__ = "payment_prediction"
    __table_args__ = (
        Index("ix_payment_prediction_run", "run_id", "expected_on"),
        Index("ix_payment_prediction_item", "company_id", "item_id"),
    )

    id: Mapped[Id]
    company_id: Mapped[int] = company_fk()
    run_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("payment_forecast_run.id"))
    item_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("open_item.id"))
    customer_id: Mapped[int] = mapped_column(BigIntId, ForeignKey("customer.id"))
    currency: Mapped[Currency]
    open_minor: Mapped[Minor]
    open_base_minor: Mapped[Minor]
    expected_on: Mapped[date]
    earliest_on: Mapped[date]
    latest_on: Mapped[date]
