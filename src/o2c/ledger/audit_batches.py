"""Audit rows for batches: one row naming every record a bulk call wrote, instead of one each.

A cash-application run posts some 80,000 payments and 200,000 journal entries in one
transaction; an audit row per record would cost about as much to write as the records. The
batch row keeps who, when and what: the action, the actor, the instant, and the ids of every
record it covers as runs (`[[first, last], ...]`), with whatever counts the caller adds. A
call that writes a single record still gets the usual row under that record's own id.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from o2c.db.uow import UnitOfWork
from o2c.security.model import Actor
from o2c.security.service import audit_many


def id_runs(ids: Iterable[int]) -> list[list[int]]:
    """The ids as sorted runs of consecutive numbers, `[first, last]` each."""
    runs: list[list[int]] = []
    for record_id in sorted(set(ids)):
        if runs and runs[-1][1] + 1 == record_id:
            runs[-1][1] = record_id
        else:
            runs.append([record_id, record_id])
    return runs


def covered(data: Mapping[str, Any], key: str) -> set[int]:
    """The ids a batch row's `key` runs cover (the inverse of `id_runs`)."""
    return {i for first, last in data[key] for i in range(first, last + 1)}


def audit_batch(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    entity: str,
    ids: Sequence[int],
    alone: dict[str, Any],
    summary: dict[str, Any] | None = None,
) -> None:
    """One audit row for the records `ids`.

    A single record gets its own row carrying `alone`. Several get one row whose entity id
    is `first..last` and whose data is `summary` with `count` and the runs of `ids`.
    """
    if not ids:
        return
    if len(ids) == 1:
        audit_many(uow, actor, action, entity, [(ids[0], alone)])
        return
    runs = id_runs(ids)
    data = {"count": len(ids), "ids": runs, **(summary or {})}
    audit_many(uow, actor, action, entity, [(f"{runs[0][0]}..{runs[-1][1]}", data)])
