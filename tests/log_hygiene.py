"""What must never appear in a log line, and the session-wide capture that checks it.

Every record logged during the test session goes through o2c's own handler (the one `o2c
serve` and `o2c worker` install, masking filter included) into memory. At the end no line
may hold a full IBAN (any string passing the mod-97 check), an argon2 hash, or a secret a
test registered with `remember_secret` (API keys, passwords it made up).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from o2c.app.logs import log_handler
from o2c.kernel.masking import iban_checks

SECRETS: set[str] = set()
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
_ARGON2 = re.compile(r"\$argon2[a-z]*\$")


def remember_secret(value: str) -> str:
    """Register `value` as a secret no log line may contain; returns it."""
    if len(value) >= 6:
        SECRETS.add(value)
    return value


def leaks(lines: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """Each offending line, prefixed with what it gives away."""
    found = []
    for line in lines:
        reasons = [f"IBAN {m[0]!r}" for m in _IBAN.finditer(line) if _is_iban(m[0])]
        if _ARGON2.search(line):
            reasons.append("argon2 hash")
        reasons += [f"secret {s[:3]}…" for s in secrets if s in line]
        if reasons:
            found.append(f"{', '.join(reasons)}: {line}")
    return found


def _is_iban(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    return any(iban_checks(compact[:end]) for end in range(len(compact), 14, -1))


@contextmanager
def captured_logs() -> Iterator[io.StringIO]:
    """Route every logger (INFO and up; SQLAlchemy's statement echo stays off) through o2c's
    JSON handler into memory while the block runs."""
    stream = io.StringIO()
    handler = log_handler("json", stream)
    root = logging.getLogger()
    engine_log = logging.getLogger("sqlalchemy")
    levels = root.level, engine_log.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    if engine_log.level == logging.NOTSET:
        engine_log.setLevel(logging.WARNING)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        engine_log.setLevel(levels[1])
