"""Direct edits of the database, as someone with the server's credentials could make them.

The append-only triggers are switched off first (PostgreSQL: replica role for the one
transaction; SQLite: the triggers are dropped), as a tamperer would.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

SQLITE_TRIGGERS = [
    f"{table}_no_{verb}"
    for table in ("audit_record", "chain_link")
    for verb in ("update", "delete")
]


def tamper(engine: Engine, statement: str) -> None:
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            for name in SQLITE_TRIGGERS:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        conn.execute(text(statement))
