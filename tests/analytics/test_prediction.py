"""Payment-date prediction: features without leakage, training job, predictions, forecast."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from o2c.analytics.features import FEATURES, InvoiceFacts, feature_matrix
from o2c.analytics.forecast import Step, buckets, cash_forecast
from o2c.analytics.prediction import dumps, evaluate, fit, loads, split_day
from o2c.analytics.service import (
    invoice_history,
    latest_model,
    predict_open_invoices,
    run_forecast,
    train_payment_model,
)
from o2c.kernel.errors import NotFound, ValidationFailed
from tests.analytics.builders import AS_OF, paid_history

DAY = date(2025, 1, 1)


def invoice(key: int, customer: str, issued: date, delay: int | None, amount: float = 100.0):
    due = issued + timedelta(days=30)
    cleared = None if delay is None else due + timedelta(days=delay)
    return InvoiceFacts(key, customer, issued, due, amount, cleared_on=cleared)


def synthetic(customers: int = 6, per_customer: int = 40) -> list[InvoiceFacts]:
    """Customer k pays 5·k days late, amounts over 1,000 a week later again."""
    rows = []
    for k in range(customers):
        for n in range(per_customer):
            amount = 500.0 + 100 * (n % 10)
            delay = 5 * k + (7 if amount > 1000 else 0) + (n % 3) - 1
            rows.append(invoice(k * 1000 + n, f"C{k}", DAY + timedelta(days=9 * n), delay, amount))
    return rows


def test_features_of_an_invoice_ignore_what_was_cleared_after_its_issue_day():
    # given a customer's invoice cleared before a new invoice, and one cleared after it
    early = invoice(1, "C", DAY, 10)
    new = invoice(2, "C", DAY + timedelta(days=60), None)
    later = invoice(3, "C", DAY + timedelta(days=50), 40)  # cleared 120 days after DAY + 50
    # when the new invoice's features are built with and without the later one
    with_later = feature_matrix([new], [early, new, later])
    without = feature_matrix([new], [early, new])
    # then they are equal except for the count of invoices open at issue
    names = list(FEATURES)
    differs = [names[i] for i in range(len(names)) if not _same(with_later[0, i], without[0, i])]
    assert differs == ["open_count_at_issue"]
    assert with_later[0, names.index("history_mean_delay")] == 10


def _same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)  # NaN equals NaN here


def test_model_beats_both_baselines_on_a_history_with_a_learnable_pattern():
    history = synthetic()
    evaluation, _ = evaluate(history, split_day(history))
    assert evaluation.beats_baselines(), evaluation.as_dict()
    assert evaluation.test_count > 50


def test_predicted_interval_contains_the_point():
    history = synthetic()
    model = fit([i for i in history if i.cleared_on], history)
    point, low, high = model.predict(history[:20], history)
    assert (low <= point).all()
    assert (point <= high).all()


def test_a_stored_model_loads_back_and_predicts_the_same():
    history = synthetic(3, 20)
    model = fit([i for i in history if i.cleared_on], history)
    again = loads(dumps(model))
    assert (again.predict(history, history)[0] == model.predict(history, history)[0]).all()


def test_bytes_of_another_kind_are_refused_as_a_model():
    import pickle

    with pytest.raises(ValueError, match="retrain"):
        loads(pickle.dumps({"not": "a model"}))


def test_weekly_buckets_run_monday_to_sunday_from_the_day_after():
    # 2026-03-31 is a Tuesday
    spans = buckets(AS_OF, 14, Step.WEEK)
    assert spans == [
        (date(2026, 4, 1), date(2026, 4, 5)),
        (date(2026, 4, 6), date(2026, 4, 12)),
        (date(2026, 4, 13), date(2026, 4, 14)),
    ]


@pytest.mark.storage
def test_training_job_stores_a_versioned_model_with_its_scores(uow, actor):
    # given customers who pay 0, 10 and 25 days late
    paid_history(uow, actor, {"A": 0, "B": 10, "C": 25}, invoices=30)
    # when the training job runs twice
    first = train_payment_model(uow, actor, AS_OF)
    second = train_payment_model(uow, actor, AS_OF)
    # then each is a new version, with the time-split evaluation stored beside it
    assert (first.version, second.version) == (1, 2)
    assert set(first.metrics) >= {"mae_model", "mae_due_date", "mae_customer_average"}
    row, _ = latest_model(uow, actor)
    assert row.version == 2
    assert row.training_count == first.training_count == 90


@pytest.mark.storage
def test_a_history_too_short_to_hold_out_a_quarter_trains_unevaluated(uow, actor):
    paid_history(uow, actor, {"A": 0, "B": 10, "C": 25}, invoices=12)
    trained = train_payment_model(uow, actor, AS_OF)
    assert trained.training_count == 36
    assert "at least 30" in str(trained.metrics["not_evaluated"])


@pytest.mark.storage
def test_open_invoices_are_predicted_paid_with_their_customer_delay(uow, actor):
    # given history, and one more invoice per customer still open on the day
    customers = paid_history(uow, actor, {"A": 0, "B": 30}, invoices=20)
    from tests.builders import an_invoice

    for customer_id in customers.values():
        an_invoice(uow, actor, customer_id, "50.00", on=AS_OF - timedelta(days=5))
    train_payment_model(uow, actor, AS_OF)
    # when the open invoices are predicted as of the day
    predictions = {
        p.customer_id: p for p in predict_open_invoices(uow, actor, AS_OF) if p.open_minor == 5000
    }
    # then the slow payer is expected about a month after the punctual one
    due = AS_OF + timedelta(days=25)
    fast, slow = predictions[customers["A"]], predictions[customers["B"]]
    assert abs((fast.expected_on - due).days) <= 5
    assert abs((slow.expected_on - due).days - 30) <= 8
    assert slow.earliest_on <= slow.expected_on <= slow.latest_on


@pytest.mark.storage
def test_forecast_run_sums_expected_cash_and_later_compares_with_actuals(uow, actor, clock):
    # given a model trained on history up to a day, and the invoices open that day
    paid_history(uow, actor, {"A": 0, "B": 10, "C": 20}, invoices=60, start=date(2025, 3, 1))
    day = date(2026, 2, 1)
    train_payment_model(uow, actor, day)
    run_id = run_forecast(uow, actor, day)
    # when the forecast is read after its days have passed (the clock says 2026-03-02)
    forecast = cash_forecast(uow, actor, run_id, Step.WEEK, 42)
    # then the expected cash sums to what was open, and actual cash is reported per week
    history = invoice_history(uow, actor, day)
    still_open = sum(1 for i in history if i.cleared_on is None) * 10000
    total = sum(b.expected_minor for b in forecast.buckets) + forecast.beyond_horizon_minor
    assert total == still_open
    assert sum(b.actual_minor or 0 for b in forecast.buckets) > 0
    assert forecast.buckets[-1].actual_minor is None  # the week from 2026-03-09 has not begun
    assert forecast.buckets[0].start == day + timedelta(days=1)


@pytest.mark.storage
def test_predicting_without_a_trained_model_says_so(uow, actor):
    with pytest.raises(NotFound):
        predict_open_invoices(uow, actor, AS_OF)


@pytest.mark.storage
def test_training_without_enough_history_is_refused(uow, actor):
    paid_history(uow, actor, {"A": 0}, invoices=5)
    with pytest.raises(ValidationFailed, match="cannot train"):
        train_payment_model(uow, actor, AS_OF)


def test_money_never_enters_the_features_as_decimal():
    assert isinstance(Decimal("1") / 1, Decimal)  # guard: features take float base units
