"""Every error o2c raises on purpose, with a stable `code` and structured fields.

    O2CError                      code          HTTP (mapped once, in app/)
    ├── NotFound                  not_found     404
    ├── PermissionDenied          forbidden     403
    │   ├── AuthenticationFailed  unauthorized  401   (no, wrong or expired credentials)
    │   └── TooManyAttempts       too_many_attempts 429 (sign-in throttled)
    ├── ValidationFailed          invalid       422   (one or more FieldError)
    │   └── InvalidFile           invalid_file  422   (one or more FileError: line, field)
    ├── Conflict                  conflict      409
    │   ├── InvalidTransition     invalid_state 409   (a state machine refused the change)
    │   ├── IdempotencyMismatch   idempotency_mismatch 422
    │   └── DuplicateImport       duplicate_import 409
    └── LedgerError               ledger        409
        ├── UnbalancedEntry       unbalanced    409
        ├── PeriodLocked          period_locked 409
        └── OverApplication       over_applied  409

Batch checks (file imports, period close) collect every problem and raise one error that
carries them all, so a user fixes a file in one pass instead of one line at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class O2CError(Exception):
    code = "error"
    title = "Request failed"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def fields(self) -> dict[str, object]:
        """Structured extras for the problem document (RFC 9457 extension members)."""
        return {}


class NotFound(O2CError):
    code = "not_found"
    title = "Not found"

    def __init__(self, entity: str, key: object) -> None:
        super().__init__(f"{entity} {key} not found")
        self.entity = entity
        self.key = key

    def fields(self) -> dict[str, object]:
        return {"entity": self.entity, "key": str(self.key)}


class PermissionDenied(O2CError):
    code = "forbidden"
    title = "Permission denied"


class AuthenticationFailed(PermissionDenied):
    """Who is calling is unknown: wrong password, unknown or revoked key, expired token."""

    code = "unauthorized"
    title = "Authentication required"


class TooManyAttempts(PermissionDenied):
    """Sign-in refused for a while after repeated failures (password guessing)."""

    code = "too_many_attempts"
    title = "Too many attempts"

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds

    def fields(self) -> dict[str, object]:
        return {"retry_after": self.retry_after_seconds}


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class ValidationFailed(O2CError):
    code = "invalid"
    title = "Invalid input"

    def __init__(self, errors: Sequence[FieldError] | str) -> None:
        if isinstance(errors, str):
            errors = [FieldError("", errors)]
        self.errors = list(errors)
        super().__init__("; ".join(str(e).lstrip(": ") for e in self.errors))

    def fields(self) -> dict[str, object]:
        return {"errors": [{"field": e.field, "reason": e.reason} for e in self.errors]}


@dataclass(frozen=True)
class FileError:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", field {self.field}" if self.field else "")
        return f"{where}: {self.reason}"


class InvalidFile(ValidationFailed):
    code = "invalid_file"
    title = "Invalid file"

    def __init__(self, path: str, problems: Sequence[FileError]) -> None:
        self.path = path
        self.problems = list(problems)
        O2CError.__init__(
            self,
            f"{path}: "
            + "; ".join(str(p) for p in self.problems[:20])
            + (f" (and {len(self.problems) - 20} more)" if len(self.problems) > 20 else ""),
        )
        self.errors = [FieldError(p.field, str(p)) for p in self.problems]

    def fields(self) -> dict[str, object]:
        return {
            "path": self.path,
            "problems": [
                {"line": p.line, "field": p.field, "reason": p.reason} for p in self.problems
            ],
        }


class Conflict(O2CError):
    code = "conflict"
    title = "Conflict with the current state"


class InvalidTransition(Conflict):
    code = "invalid_state"
    title = "Not allowed in this state"


class IdempotencyMismatch(Conflict):
    code = "idempotency_mismatch"
    title = "Idempotency-Key reused with a different request"


class DuplicateImport(Conflict):
    code = "duplicate_import"
    title = "Already imported"


class LedgerError(O2CError):
    code = "ledger"
    title = "Ledger rule violated"


class UnbalancedEntry(LedgerError):
    code = "unbalanced"
    title = "Journal entry does not balance"


class PeriodLocked(LedgerError):
    code = "period_locked"
    title = "Period is closed"


class OverApplication(LedgerError):
    code = "over_applied"
    title = "Application exceeds the open amount"
