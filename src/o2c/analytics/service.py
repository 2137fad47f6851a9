"""Analytics use cases: train the payment-date model, forecast cash, compare with actuals.

Training is a job (`o2c analytics train`, or a scheduler calling `train_payment_model`): it
reads the company's cleared invoices, evaluates a fresh model on a time-based split, fits it
on everything and stores it with its scores. A forecast run predicts every open invoice's
payment date with the newest model and keeps the predictions, so the forecast can later be
compared with the cash that came in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from o2c.analytics.features import FEATURES, InvoiceFacts
from o2c.analytics.prediction import (
    NotEnoughHistory,
    PaymentModel,
    dumps,
    evaluate,
    fit,
    loads,
    split_day,
)
from o2c.analytics.tables import ForecastRun, PaymentModelRow, PaymentPrediction
from o2c.db.bulk import insert_rows
from o2c.db.uow import UnitOfWork
from o2c.disputes.tables import Deduction
from o2c.kernel.errors import NotFound, ValidationFailed
from o2c.ledger.model import ItemKind, to_base
from o2c.ledger.reports import OpenItemOn, open_items_on
from o2c.ledger.service import rate_on
from o2c.ledger.tables import OpenItem
from o2c.security.model import Actor, Permission
from o2c.security.service import audit, get_company

ALGORITHM = "HistGradientBoostingRegressor (absolute error; quantiles 0.1/0.9)"


def invoice_history(uow: UnitOfWork, actor: Actor, as_of: date) -> list[InvoiceFacts]:
    """Every invoice issued by `as_of`, cleared (closed by that day) or still open.

    An invoice is cleared on the day its open amount reached zero, whatever settled it last
    (payment, credit note, write-off): the day the company stopped waiting for it.
    """
    actor.require(Permission.LEDGER_READ)
    with uow:
        disputed = set(
            uow.session.scalars(
                select(Deduction.item_id).where(Deduction.company_id == actor.company_id)
            )
        )
        rows = uow.session.execute(
            select(
                OpenItem.id,
                OpenItem.customer_id,
                OpenItem.doc_date,
                OpenItem.due_date,
                OpenItem.base_minor,
                OpenItem.closed_on,
            ).where(
                OpenItem.company_id == actor.company_id,
                OpenItem.kind == ItemKind.INVOICE.value,
                OpenItem.doc_date <= as_of,
            )
        ).all()
    return [
        InvoiceFacts(
            key=item_id,
            customer=str(customer_id),
            issued_on=issued,
            due_on=due,
            amount=base / 100,
            disputed=item_id in disputed,
            cleared_on=closed if closed is not None and closed <= as_of else None,
        )
        for item_id, customer_id, issued, due, base, closed in rows
    ]


@dataclass(frozen=True)
class TrainedModel:
    id: int
    version: int
    trained_as_of: date
    training_count: int
    metrics: dict[str, object]


def train_payment_model(uow: UnitOfWork, actor: Actor, as_of: date) -> TrainedModel:
    """Evaluate on a time-based split (newest quarter held out), then fit on all history
    and store the model as the company's next version, with the evaluation's scores.

    A history long enough to fit but too short to hold a quarter out still trains; its
    metrics then say why it was not evaluated.
    """
    actor.require(Permission.COMPANY_ADMIN)
    history = invoice_history(uow, actor, as_of)
    training = [i for i in history if i.cleared_on is not None]
    try:
        model = fit(training, history)
    except NotEnoughHistory as error:
        raise ValidationFailed(f"cannot train a payment model: {error}") from None
    try:
        metrics: dict[str, object] = evaluate(history, split_day(history))[0].as_dict()
    except NotEnoughHistory as error:
        metrics = {"not_evaluated": str(error)}
    with uow:
        version = 1 + (
            uow.session.scalar(
                select(func.max(PaymentModelRow.version)).where(
                    PaymentModelRow.company_id == actor.company_id
                )
            )
            or 0
        )
        row = PaymentModelRow(
            company_id=actor.company_id,
            version=version,
            algorithm=ALGORITHM,
            trained_as_of=as_of,
            trained_at=uow.clock.now(),
            trained_by=actor.name,
            training_count=len(training),
            features={"names": list(FEATURES)},
            metrics=metrics,
            model=dumps(model),
        )
        uow.session.add(row)
        uow.session.flush()
        audit(uow, actor, "payment_model.train", "payment_model", row.id, row.metrics)
        uow.publish(actor.company_id, "payment_model.trained", {"id": row.id, "version": version})
        uow.commit()
        return TrainedModel(row.id, version, as_of, len(training), dict(row.metrics))


def latest_model(uow: UnitOfWork, actor: Actor) -> tuple[PaymentModelRow, PaymentModel]:
    """The company's newest model; NotFound until one has been trained."""
    actor.require(Permission.LEDGER_READ)
    with uow:
        row = uow.session.scalar(
            select(PaymentModelRow)
            .where(PaymentModelRow.company_id == actor.company_id)
            .order_by(PaymentModelRow.version.desc())
            .limit(1)
        )
        if row is None:
            raise NotFound("payment model", "latest (run `o2c analytics train`)")
        return row, loads(row.model)


@dataclass(frozen=True)
class Prediction:
    item_id: int
    customer_id: int
    currency: str
    open_minor: int
    open_base_minor: int
    due_on: date
    expected_on: date
    earliest_on: date
    latest_on: date


def predict_open_invoices(
    uow: UnitOfWork, actor: Actor, as_of: date, model: PaymentModel | None = None
) -> list[Prediction]:
    """Each invoice open on `as_of` (with what was open of it that day), its predicted
    payment date and 10%–90% interval. A date the model puts on or before `as_of` (an overdue
    invoice the model expected paid already) moves to the next day: cash cannot arrive in
    the past."""
    actor.require(Permission.LEDGER_READ)
    if model is None:
        _, model = latest_model(uow, actor)
    history = invoice_history(uow, actor, as_of)
    known = {invoice.key: invoice for invoice in history}
    items = [
        item
        for item in open_items_on(uow, actor, as_of)
        if item.kind == ItemKind.INVOICE.value and item.open_minor > 0
    ]
    with uow:
        base = get_company(uow, actor.company_id).base_currency
        rates = {c: rate_on(uow, actor.company_id, c, as_of) for c in {i.currency for i in items}}
    facts = [replace(known[item.item_id], cleared_on=None) for item in items]
    point, low, high = model.predict(facts, history)
    tomorrow = as_of + timedelta(days=1)

    def day(item: OpenItemOn, delay: float) -> date:
        return max(tomorrow, item.due_date + timedelta(days=round(delay)))

    return [
        Prediction(
            item.item_id,
            item.customer_id,
            item.currency,
            item.open_minor,
            to_base(item.open_minor, item.currency, base, rates.get(item.currency, Decimal(1))),
            item.due_date,
            day(item, p),
            day(item, lo),
            day(item, hi),
        )
        for item, p, lo, hi in zip(items, point, low, high, strict=True)
    ]


def run_forecast(uow: UnitOfWork, actor: Actor, as_of: date) -> int:
    """Predict every open invoice with the newest model and keep the predictions as a run."""
    actor.require(Permission.COMPANY_ADMIN)
    row, model = latest_model(uow, actor)
    predictions = predict_open_invoices(uow, actor, as_of, model)
    with uow:
        run = ForecastRun(
            company_id=actor.company_id,
            model_id=row.id,
            as_of=as_of,
            created_at=uow.clock.now(),
            created_by=actor.name,
        )
        uow.session.add(run)
        uow.session.flush()
        _store_predictions(uow, actor.company_id, run.id, predictions)
        audit(
            uow,
            actor,
            "payment_forecast.run",
            "payment_forecast_run",
            run.id,
            {"as_of": as_of.isoformat(), "model": row.version, "invoices": len(predictions)},
        )
        uow.commit()
        return run.id


def _store_predictions(
    uow: UnitOfWork, company_id: int, run_id: int, predictions: Sequence[Prediction]
) -> None:
    insert_rows(
        uow.session,
        PaymentPrediction,
        [
            {
                "company_id": company_id,
                "run_id": run_id,
                "item_id": p.item_id,
                "customer_id": p.customer_id,
                "currency": p.currency,
                "open_minor": p.open_minor,
                "open_base_minor": p.open_base_minor,
                "expected_on": p.expected_on,
                "earliest_on": p.earliest_on,
                "latest_on": p.latest_on,
            }
            for p in predictions
        ],
    )
