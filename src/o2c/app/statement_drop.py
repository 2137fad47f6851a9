"""Bank statements dropped in a folder: each file imported once, then moved aside.

Banks (or an SFTP sync in front of them) put files into the company's folder. A file is
taken once it has not changed for a few seconds, so one still being written is left for the
next poll; names starting with a dot or ending in .part/.tmp are never taken. An imported
file (or one already imported before: same bytes) moves to `processed/`; a file the parser
rejects moves to `failed/` beside a `.errors.txt` that lists every problem. A database
failure leaves the file where it is, and the job is retried.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from o2c.cashapp.statements import import_statement
from o2c.db.uow import UnitOfWork
from o2c.kernel.errors import InvalidFile, ValidationFailed
from o2c.security.model import Actor

PROCESSED = "processed"
FAILED = "failed"
SETTLE_SECONDS = 5.0
IGNORED_SUFFIXES = (".part", ".tmp", ".partial", ".filepart", ".crdownload")


@dataclass
class DropReport:
    imported: list[str] = field(default_factory=list)
    already_imported: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    new_lines: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "imported": self.imported,
            "already_imported": self.already_imported,
            "rejected": self.rejected,
            "new_lines": self.new_lines,
        }


def waiting_files(directory: Path, settle_seconds: float = SETTLE_SECONDS) -> list[Path]:
    """Files ready to import, oldest name first (banks number their files in order)."""
    if not directory.is_dir():
        return []
    newest = time.time() - settle_seconds
    return sorted(
        path
        for path in directory.iterdir()
        if path.is_file()
        and not path.name.startswith((".", "~"))
        and not path.name.lower().endswith(IGNORED_SUFFIXES)
        and path.stat().st_mtime <= newest
    )


def _move(path: Path, folder: str, data: bytes) -> Path:
    """Move into `folder` beside it; a name already there gets the content's hash added."""
    target_dir = path.parent / folder
    target_dir.mkdir(exist_ok=True)
    target = target_dir / path.name
    if target.exists():
        digest = hashlib.sha256(data).hexdigest()[:12]
        target = target_dir / f"{path.stem}.{digest}{path.suffix}"
    os.replace(path, target)
    return target


def _problems(error: ValidationFailed) -> str:
    if isinstance(error, InvalidFile):
        return "\n".join(str(problem) for problem in error.problems) + "\n"
    return "\n".join(str(e) for e in error.errors) + "\n"


def import_dropped(
    new_uow: Callable[[], UnitOfWork],
    actor: Actor,
    directory: Path,
    settle_seconds: float = SETTLE_SECONDS,
) -> DropReport:
    """Import every waiting file of `directory`; each file is its own transaction.

    Idempotent end to end: the import is keyed by the file's hash, so a worker that dies
    between committing an import and moving the file finds it "already imported" next
    time and only moves it.
    """
    report = DropReport()
    for path in waiting_files(directory, settle_seconds):
        data = path.read_bytes()
        try:
            summary = import_statement(new_uow(), actor, data, path.name)
        except ValidationFailed as error:
            target = _move(path, FAILED, data)
            target.with_name(target.name + ".errors.txt").write_text(_problems(error))
            report.rejected.append(path.name)
            continue
        _move(path, PROCESSED, data)
        if summary.duplicate_file:
            report.already_imported.append(path.name)
        else:
            report.imported.append(path.name)
            report.new_lines += summary.new_lines
    return report
