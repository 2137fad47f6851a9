"""The hash chains over the audit trail and the posted journal: sealed, verified, tamper-evident."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from o2c.app.audit_trail import seal_company, verify_all
from o2c.db.engine import session_factory
from o2c.db.uow import UnitOfWork
from o2c.kernel.request_id import request_id_var
from o2c.ledger.tables import JournalLine
from o2c.security.chain_tables import ChainLink
from o2c.security.sealing import AUDIT_CHAIN
from o2c.security.service import audit
from o2c.security.tables import AuditRecord
from tests.audit.tampering import tamper
from tests.builders import a_customer, an_invoice


def some_history(uow, actor, invoices=3, customer_code="C1"):
    customer = a_customer(uow, actor, code=customer_code)
    return [an_invoice(uow, actor, customer, amount=f"{10 * (n + 1)}.00") for n in range(invoices)]


def verify(uow, actor):
    return verify_all(uow, [actor.company_id], timedelta(hours=1))


def test_a_sealed_history_verifies_intact(uow, actor):
    some_history(uow, actor)
    sealed = seal_company(uow, actor.company_id)
    result = verify(uow, actor)
    assert result.findings == []
    assert sealed["journal_entry"] == 3
    assert sealed["journal_line"] == 6
    assert result.links == {
        "audit_record": sealed["audit_record"],
        "journal_entry": 3,
        "journal_line": 6,
    }


def test_sealing_again_adds_only_what_is_new(uow, actor):
    some_history(uow, actor, invoices=2)
    seal_company(uow, actor.company_id)
    some_history(uow, actor, invoices=1, customer_code="C2")
    again = seal_company(uow, actor.company_id)
    assert again["journal_entry"] == 1
    assert again["journal_line"] == 2
    assert seal_company(uow, actor.company_id) == {
        "audit_record": 0,
        "journal_entry": 0,
        "journal_line": 0,
    }
    assert verify(uow, actor).findings == []


def test_an_edited_audit_record_is_named(uow, actor, engine):
    some_history(uow, actor)
    with uow:
        audit(
            uow, actor, "customer.renamed", "customer", 7, before={"name": "A"}, after={"name": "B"}
        )
        uow.commit()
    seal_company(uow, actor.company_id)
    with uow:
        target = uow.session.scalar(select(func.max(AuditRecord.id)))
    tamper(engine, f"UPDATE audit_record SET actor = 'someone else' WHERE id = {target}")
    [finding] = verify(uow, actor).findings
    assert (finding.chain, finding.record_id) == ("audit_record", target)
    assert "changed" in finding.problem


def test_a_deleted_journal_line_is_named_and_later_links_still_checked(uow, actor, engine):
    posted = some_history(uow, actor)
    seal_company(uow, actor.company_id)
    with uow:
        lines = uow.session.scalars(
            select(JournalLine.id).where(JournalLine.entry_id == posted[0].entry_id)
        ).all()
        last_line = uow.session.scalar(select(func.max(JournalLine.id)))
    tamper(engine, f"DELETE FROM journal_line WHERE id = {lines[0]}")
    tamper(engine, f"UPDATE journal_line SET amount_minor = 1 WHERE id = {last_line}")
    findings = verify(uow, actor).findings
    assert [(f.chain, f.record_id) for f in findings] == [
        ("journal_line", lines[0]),
        ("journal_line", last_line),
    ]
    assert "deleted" in findings[0].problem


def test_deleting_a_record_with_its_link_breaks_the_chain(uow, actor, engine):
    some_history(uow, actor)
    seal_company(uow, actor.company_id)
    with uow:
        first = uow.session.scalar(select(func.min(AuditRecord.id)))
    tamper(engine, f"DELETE FROM chain_link WHERE chain = 'audit_record' AND record_id = {first}")
    tamper(engine, f"DELETE FROM audit_record WHERE id = {first}")
    findings = verify(uow, actor).findings
    assert findings[0].chain == "audit_record"
    assert "missing" in findings[0].problem


def test_deleting_the_newest_record_and_link_shows_at_the_head(uow, actor, engine):
    some_history(uow, actor)
    seal_company(uow, actor.company_id)
    with uow:
        newest = uow.session.scalar(select(func.max(AuditRecord.id)))
    tamper(engine, f"DELETE FROM chain_link WHERE chain = 'audit_record' AND record_id = {newest}")
    tamper(engine, f"DELETE FROM audit_record WHERE id = {newest}")
    [finding] = verify(uow, actor).findings
    assert "head" in finding.problem


def test_the_audit_trail_refuses_update_and_delete(uow, actor, engine):
    some_history(uow, actor, invoices=1)
    seal_company(uow, actor.company_id)
    for statement in (
        "UPDATE audit_record SET actor = 'x'",
        "DELETE FROM audit_record",
        "UPDATE chain_link SET hash = 'x'",
        "DELETE FROM chain_link",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    assert verify(uow, actor).findings == []


def test_records_left_unsealed_too_long_are_a_finding(uow, actor, clock):
    some_history(uow, actor, invoices=1)
    clock.advance(hours=2)
    findings = verify(uow, actor).findings
    assert {f.chain for f in findings} == {"audit_record", "journal_entry", "journal_line"}
    assert all("not sealed" in f.problem for f in findings)


def test_audit_records_carry_the_request_id_and_changes(uow, actor):
    token = request_id_var.set("req-42")
    try:
        with uow:
            audit(uow, actor, "customer.renamed", "customer", 1, before={"n": 1}, after={"n": 2})
            uow.commit()
    finally:
        request_id_var.reset(token)
    with uow:
        record = uow.session.scalars(select(AuditRecord)).one()
    assert record.request_id == "req-42"
    assert record.data == {"before": {"n": 1}, "after": {"n": 2}}


def test_concurrent_sealers_build_one_unbroken_chain(backend, uow, actor, engine, clock):
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    some_history(uow, actor, invoices=30)
    errors = []

    def sealer():
        try:
            seal_company(UnitOfWork(session_factory(engine), clock), actor.company_id)
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=sealer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with uow:
        seqs = uow.session.scalars(
            select(ChainLink.seq).where(ChainLink.chain == AUDIT_CHAIN.name).order_by(ChainLink.seq)
        ).all()
    assert seqs == list(range(1, len(seqs) + 1))
    assert verify(uow, actor).findings == []
