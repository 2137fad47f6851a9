"""The review queue: decisions, rights, the API (masked evidence), the CLI and the job."""

from __future__ import annotations

from datetime import date

import pytest

from o2c.app.catalogue import FRAUD, HANDLERS, JobServices, default_schedules
from o2c.db.engine import session_factory
from o2c.fraud.model import AlertStatus, Decision, Rule
from o2c.fraud.service import AlertFilter, list_alerts, review_alert, scan
from o2c.jobs.model import ClaimedJob
from o2c.kernel.config import Settings
from o2c.kernel.errors import InvalidTransition, PermissionDenied, ValidationFailed
from o2c.security.credentials import CredentialKind, create_credential
from o2c.security.model import Actor, Role
from tests.app.client import api_client, o2c
from tests.fraud.builders import OTHER_IBAN, PAYER_IBAN, a_payment, a_refund, an_invoice, bank_lines

pytestmark = pytest.mark.storage


@pytest.fixture
def alert_id(uow, actor, customer) -> int:
    """An open alert: an invoice posted twice."""
    an_invoice(uow, actor, customer, "480.00", date(2026, 2, 20), po="PO-1")
    an_invoice(uow, actor, customer, "480.00", date(2026, 2, 22), po="PO-1")
    [alert_id] = scan(uow, actor).alert_ids
    return alert_id


def as_role(actor: Actor, role: Role) -> Actor:
    return Actor(f"{role.value} user", actor.company_id, frozenset({role}))


def test_a_controller_confirms_an_alert_with_a_note(uow, actor, alert_id):
    controller = as_role(actor, Role.CONTROLLER)

    alert = review_alert(uow, controller, alert_id, Decision.CONFIRM, "billed twice, credit it")

    assert (alert.status, alert.reviewer, alert.note) == (
        "confirmed",
        "controller user",
        "billed twice, credit it",
    )
    assert alert.reviewed_at is not None


def test_a_decided_alert_is_not_decided_again(uow, actor, alert_id):
    review_alert(uow, actor, alert_id, Decision.DISMISS, "two deliveries, both real")

    with pytest.raises(InvalidTransition):
        review_alert(uow, actor, alert_id, Decision.CONFIRM, "on second thoughts")


def test_a_dismissed_alert_is_not_raised_again(uow, actor, alert_id):
    review_alert(uow, actor, alert_id, Decision.DISMISS, "two deliveries, both real")

    assert scan(uow, actor).raised == {}
    rows, total = list_alerts(uow, actor, AlertFilter(status=AlertStatus.DISMISSED))
    assert (total, rows[0].id) == (1, alert_id)


def test_a_review_needs_a_note(uow, actor, alert_id):
    with pytest.raises(ValidationFailed):
        review_alert(uow, actor, alert_id, Decision.CONFIRM, "  ")


def test_auditors_read_the_queue_but_do_not_decide_and_clerks_see_nothing(uow, actor, alert_id):
    auditor, clerk = as_role(actor, Role.AUDITOR), as_role(actor, Role.AR_CLERK)

    assert list_alerts(uow, auditor, AlertFilter())[1] == 1
    with pytest.raises(PermissionDenied):
        review_alert(uow, auditor, alert_id, Decision.CONFIRM, "yes")
    with pytest.raises(PermissionDenied):
        list_alerts(uow, clerk, AlertFilter())
    with pytest.raises(PermissionDenied):
        scan(uow, clerk)


def key_for(uow, actor, role: Role) -> dict[str, str]:
    issued = create_credential(uow, actor, CredentialKind.API_KEY, role.value, {role})
    return {"X-API-Key": issued.api_key}


def test_api_lists_and_reviews_alerts_and_masks_accounts_for_readers_without_the_right(
    engine, clock, uow, actor, customer
):
    payment = a_payment(uow, actor, customer)
    bank_lines(uow, actor, [("R1", "250.00", date(2026, 2, 25), PAYER_IBAN)], payment.id)
    a_refund(uow, actor, payment, to_account=OTHER_IBAN)
    client = api_client(engine, clock)
    auditor = key_for(uow, actor, Role.AUDITOR)

    scanned = client.post("/api/v1/fraud/scans", json={"as_of": "2026-03-02"})
    listed = client.get("/api/v1/fraud/alerts", params={"rule": "refund_to_other_account"})
    as_auditor = client.get("/api/v1/fraud/alerts", headers=auditor)
    [alert] = listed.json()["items"]
    refused = client.post(
        f"/api/v1/fraud/alerts/{alert['id']}/review",
        json={"decision": "confirm", "note": "looks wrong"},
        headers=auditor,
    )
    reviewed = client.post(
        f"/api/v1/fraud/alerts/{alert['id']}/review",
        json={"decision": "confirm", "note": "customer never asked"},
    )

    assert scanned.status_code == 200
    assert scanned.json()["raised"] == {"refund_to_other_account": 1}
    assert alert["evidence"]["refund"]["to_account"] == OTHER_IBAN  # admin: in full
    [seen] = as_auditor.json()["items"]
    assert seen["evidence"]["refund"]["to_account"] == "GB82 **** **** **** 5432"
    assert seen["evidence"]["known_accounts"] == ["DE89 **** **** **** 3000"]
    assert refused.status_code == 403
    assert reviewed.status_code == 200
    assert (reviewed.json()["status"], reviewed.json()["note"]) == (
        "confirmed",
        "customer never asked",
    )


def test_cli_scans_lists_and_reviews(database, uow, actor, customer):
    an_invoice(uow, actor, customer, "480.00", date(2026, 2, 20), po="PO-1")
    an_invoice(uow, actor, customer, "480.00", date(2026, 2, 22), po="PO-1")

    scanned = o2c(database, "fraud", "scan", "--as-of", "2026-03-02")
    listed = o2c(database, "fraud", "alerts")
    alert_id = listed.stdout.split("\t", 1)[0]
    shown = o2c(database, "fraud", "show", alert_id)
    both = o2c(database, "fraud", "review", alert_id, "--confirm", "--dismiss", "--note", "x")
    reviewed = o2c(database, "fraud", "review", alert_id, "--dismiss", "--note", "two orders")
    still_open = o2c(database, "fraud", "alerts")

    assert "duplicate_invoice: 1 found, 1 new" in scanned.stdout
    assert "\thigh\topen\tduplicate_invoice\t" in listed.stdout
    assert '"same_reference": true' in shown.stdout
    assert both.exit_code == 1
    assert "exactly one of --confirm or --dismiss" in both.stderr
    assert f"alert {alert_id} dismissed" in reviewed.stdout
    assert "0 of 0 alerts" in still_open.stdout


def test_the_daily_job_scans_on_its_fire_date(engine, clock, uow, actor, customer):
    an_invoice(uow, actor, customer, "480.00", date(2026, 2, 20), po="PO-1")
    an_invoice(uow, actor, customer, "480.00", date(2026, 2, 22), po="PO-1")
    job = ClaimedJob(
        id=1,
        company_id=actor.company_id,
        kind=FRAUD,
        key="fraud for 2026-03-01",
        payload={"as_of": "2026-03-01"},
        attempt=1,
        max_attempts=5,
        worker="w1",
    )

    services = JobServices(session_factory(engine), clock, Settings())
    outcome = HANDLERS[FRAUD](services, job)

    assert outcome == {
        "as_of": "2026-03-01",
        "found": {"duplicate_invoice": 1},
        "raised": {"duplicate_invoice": 1},
    }
    assert FRAUD in {d.kind for d in default_schedules(services)}
    rows, _ = list_alerts(uow, actor, AlertFilter(rule=Rule.DUPLICATE_INVOICE))
    assert len(rows) == 1
