"""Payment-date prediction: gradient boosting on the company's own history, honestly evaluated.

Three `HistGradientBoostingRegressor`s over the same features (`analytics.features`): one
minimising absolute error (the point forecast of the delay, so MAE in days is what it is
good at) and two quantile models (10% and 90%) for the interval. Evaluation is a time-based
split: train on what was cleared by a cut-off day, test on invoices issued after it, and
compare the mean absolute error in days with two baselines a collector would use without a
model: "paid on the due date" and "paid with the customer's average delay so far".
"""

from __future__ import annotations

import pickle
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from statistics import fmean

import numpy as np
from numpy.typing import NDArray
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from o2c.analytics.features import (
    FEATURES,
    InvoiceFacts,
    customer_average_delays,
    feature_matrix,
)

MODEL_FORMAT = 1
LOW_QUANTILE = 0.1
HIGH_QUANTILE = 0.9
MIN_TRAINING = 30
SEED = 0
# One OpenMP thread: histories are small, and on a shared server more threads than idle
# cores make fitting thirty times slower, not faster.
THREADS = 1
FOLDS = ((0.55, 0.7), (0.7, 0.85), (0.85, 1.0))
WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)
MEDIAN = FEATURES.index("history_median_delay")


class NotEnoughHistory(ValueError):
    """Too few cleared invoices to learn from."""


def _regressor(loss: str, quantile: float | None = None) -> HistGradientBoostingRegressor:
    return HistGradientBoostingRegressor(
        loss=loss,
        quantile=quantile,
        max_iter=200,
        learning_rate=0.03,
        max_leaf_nodes=7,
        min_samples_leaf=30,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=SEED,
    )


@dataclass
class PaymentModel:
    """The fitted models and what they were trained on; stored pickled in the database.

    The point forecast blends the boosted trees with the customer's median delay so far,
    `weight` on the trees: chosen on rolling time-based folds of the training data, so
    a small or noisy history leans on the robust median and a rich one on the trees.
    """

    point: HistGradientBoostingRegressor
    low: HistGradientBoostingRegressor
    high: HistGradientBoostingRegressor
    weight: float
    fallback_delay: float
    features: tuple[str, ...] = FEATURES
    format: int = MODEL_FORMAT

    def predict(
        self, invoices: Sequence[InvoiceFacts], history: Sequence[InvoiceFacts]
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        """Delay in days (point, low, high) for each invoice; low ≤ point ≤ high always."""
        if not invoices:
            empty = np.zeros(0)
            return empty, empty, empty
        matrix = feature_matrix(invoices, history)
        with threadpool_limits(limits=THREADS):
            trees = self.point.predict(matrix)
            point = self.weight * trees + (1 - self.weight) * _median(matrix, self.fallback_delay)
            low = np.minimum(self.low.predict(matrix), point)
            high = np.maximum(self.high.predict(matrix), point)
        return point, low, high


def _median(matrix: NDArray[np.float64], fallback: float) -> NDArray[np.float64]:
    """The customer's median delay so far, `fallback` where it has no history."""
    column = matrix[:, MEDIAN].copy()
    column[np.isnan(column)] = fallback
    return column


def cleared(history: Sequence[InvoiceFacts], by: date | None = None) -> list[InvoiceFacts]:
    """The invoices cleared (by `by`, when given), in issue order."""
    rows = [i for i in history if i.cleared_on is not None and (by is None or i.cleared_on <= by)]
    return sorted(rows, key=lambda i: (i.issued_on, i.key))


def _blend_weight(matrix: NDArray[np.float64], target: NDArray[np.float64]) -> float:
    """The weight of the trees that does best over rolling time-based folds of the training
    data (fit on everything before a fold, score on the fold); ties go to the median."""
    errors = dict.fromkeys(WEIGHTS, 0.0)
    for start, end in FOLDS:
        cut, stop = int(len(target) * start), int(len(target) * end)
        if cut < MIN_TRAINING or stop <= cut:
            continue
        fallback = float(np.median(target[:cut]))
        trees = _regressor("absolute_error").fit(matrix[:cut], target[:cut])
        predicted = trees.predict(matrix[cut:stop])
        median = _median(matrix[cut:stop], fallback)
        for w in WEIGHTS:
            blend = w * predicted + (1 - w) * median
            errors[w] += float(np.sum(np.abs(blend - target[cut:stop])))
    return min(WEIGHTS, key=lambda w: (round(errors[w], 6), w))


def fit(training: Sequence[InvoiceFacts], history: Sequence[InvoiceFacts]) -> PaymentModel:
    """Fit the models on cleared `training` invoices (features drawn from `history`)."""
    if len(training) < MIN_TRAINING:
        raise NotEnoughHistory(f"{len(training)} cleared invoices; at least {MIN_TRAINING}")
    training = sorted(training, key=lambda i: (i.issued_on, i.key))
    matrix = feature_matrix(training, history)
    target = np.array([i.delay for i in training], dtype=np.float64)
    with threadpool_limits(limits=THREADS):
        weight = _blend_weight(matrix, target)
        point = _regressor("absolute_error").fit(matrix, target)
        low = _regressor("quantile", LOW_QUANTILE).fit(matrix, target)
        high = _regressor("quantile", HIGH_QUANTILE).fit(matrix, target)
    return PaymentModel(point, low, high, weight, float(np.median(target)))


@dataclass(frozen=True)
class Evaluation:
    """Mean absolute error in days on the test part of a time-based split."""

    cutoff: date
    train_count: int
    test_count: int
    mae_model: float
    mae_due_date: float
    mae_customer_average: float
    interval_coverage: float

    def beats_baselines(self) -> bool:
        return self.mae_model < min(self.mae_due_date, self.mae_customer_average)

    def as_dict(self) -> dict[str, object]:
        return {
            "cutoff": self.cutoff.isoformat(),
            "train_count": self.train_count,
            "test_count": self.test_count,
            "mae_model": round(self.mae_model, 3),
            "mae_due_date": round(self.mae_due_date, 3),
            "mae_customer_average": round(self.mae_customer_average, 3),
            "interval_coverage": round(self.interval_coverage, 3),
        }


def split_day(history: Sequence[InvoiceFacts], test_share: float = 0.25) -> date:
    """The issue day after which the newest `test_share` of cleared invoices lie."""
    days = sorted(i.issued_on for i in history if i.cleared_on is not None)
    if not days:
        raise NotEnoughHistory("no cleared invoices")
    return days[min(len(days) - 1, int(len(days) * (1 - test_share)))]


def evaluate(history: Sequence[InvoiceFacts], cutoff: date) -> tuple[Evaluation, PaymentModel]:
    """Train on what was cleared by `cutoff`; test on invoices issued after it (and cleared).

    Test features use the history cleared before each test invoice's own issue day, as a
    prediction made that day would; the customer-average baseline sees the same history.
    """
    training = cleared(history, cutoff)
    test = [i for i in cleared(history) if i.issued_on > cutoff]
    if not test:
        raise NotEnoughHistory(f"no cleared invoice issued after {cutoff}")
    model = fit(training, history)
    point, low, high = model.predict(test, history)
    actual = np.array([i.delay for i in test], dtype=np.float64)
    fallback = fmean(i.delay for i in training)
    average = customer_average_delays(test, history, fallback)
    evaluation = Evaluation(
        cutoff=cutoff,
        train_count=len(training),
        test_count=len(test),
        mae_model=float(np.mean(np.abs(point - actual))),
        mae_due_date=float(np.mean(np.abs(actual))),
        mae_customer_average=float(np.mean(np.abs(average - actual))),
        interval_coverage=float(np.mean((actual >= low) & (actual <= high))),
    )
    return evaluation, model


def dumps(model: PaymentModel) -> bytes:
    """Pickled for the model table (o2c's own database: a trusted store)."""
    return pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> PaymentModel:
    model = pickle.loads(data)
    if not isinstance(model, PaymentModel) or model.format != MODEL_FORMAT:
        raise ValueError("stored payment model has another format; retrain it")
    return model
