"""Every posted journal entry is audited: a single entry by its id and source, a batch by one
row that names its entries (as runs of ids) and counts them by source."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from o2c.ledger.model import AccountRole, EntryDraft, LineDraft
from o2c.ledger.service import post_entries
from o2c.ledger.tables import JournalEntry
from o2c.security.tables import AuditRecord


def _entry(source: str, source_id: int, minor: int = 100) -> EntryDraft:
    return EntryDraft(
        date(2026, 2, 1),
        source,
        source_id,
        f"{source} {source_id}",
        [
            LineDraft(AccountRole.CASH, minor, "EUR", minor),
            LineDraft(AccountRole.UNAPPLIED_CASH, -minor, "EUR", -minor),
        ],
    )


def _postings_audit(uow) -> list[AuditRecord]:
    with uow:
        return list(
            uow.session.scalars(
                select(AuditRecord)
                .where(AuditRecord.action == "journal_entry.post")
                .order_by(AuditRecord.id)
            )
        )


def test_a_single_entry_is_audited_by_its_id_and_source(uow, actor):
    # When one entry is posted
    [entry_id] = post_entries(uow, actor, [_entry("manual", 7)])

    # Then its audit row names it and its source
    [record] = _postings_audit(uow)
    assert (record.entity, record.entity_id, record.actor) == (
        "journal_entry",
        str(entry_id),
        "tester",
    )
    assert record.data == {"source": "manual", "source_id": 7}


def test_a_batch_of_entries_is_audited_by_one_row_that_names_every_entry(uow, actor):
    # Given a batch of payment and application entries
    drafts = [_entry("payment", n) for n in range(5)] + [_entry("application", n) for n in range(3)]

    # When they are posted together
    entry_ids = post_entries(uow, actor, drafts)

    # Then one audit row covers them: who and when, every id (as runs), counted by source
    [record] = _postings_audit(uow)
    assert record.entity_id == f"{min(entry_ids)}..{max(entry_ids)}"
    assert record.data["count"] == 8
    assert record.data["sources"] == {"payment": 5, "application": 3}
    covered = {i for first, last in record.data["ids"] for i in range(first, last + 1)}
    assert covered == set(entry_ids)
    with uow:
        posted = set(uow.session.scalars(select(JournalEntry.id)))
    assert posted == covered


def test_entries_posted_in_two_batches_are_covered_by_two_rows(uow, actor):
    # Given two batches posted one after the other
    first = post_entries(uow, actor, [_entry("payment", n) for n in range(3)])
    second = post_entries(uow, actor, [_entry("payment", n) for n in range(3, 7)])

    # Then each batch's row names exactly its own entries
    records = _postings_audit(uow)
    spans = [{i for a, b in r.data["ids"] for i in range(a, b + 1)} for r in records]
    assert spans == [set(first), set(second)]
