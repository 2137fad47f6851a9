"""The hash chains over posted journal entries and their lines (sealed like the audit trail).

Posted entries are immutable (corrections are reversals), so any change to an entry or a
line after sealing is tampering; each line is a link of its own, so verification names the
very line that was changed or deleted.
"""

from __future__ import annotations

from sqlalchemy import select

from o2c.ledger.tables import JournalEntry, JournalLine
from o2c.security.sealing import chain_of

_ENTRIES = JournalEntry.metadata.tables[JournalEntry.__tablename__]
_LINES = JournalLine.metadata.tables[JournalLine.__tablename__]

JOURNAL_ENTRIES = chain_of(_ENTRIES, _ENTRIES.c.posted_at)
JOURNAL_LINES = chain_of(
    _LINES,
    select(_ENTRIES.c.posted_at).where(_ENTRIES.c.id == _LINES.c.entry_id).scalar_subquery(),
)
