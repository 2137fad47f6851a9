"""Collects every problem found in one file, then refuses the file once with all of them."""

from __future__ import annotations

from typing import NoReturn

from o2c.kernel.errors import FileError, InvalidFile

MAX_PROBLEMS = 200


class Problems:
    """An append-only list of `FileError`s for one file; parsers keep going after a problem."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[FileError] = []

    def add(self, line: int, field: str, reason: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(FileError(line, field, reason))

    def __bool__(self) -> bool:
        return bool(self.items)

    def refuse(self, line: int, field: str, reason: str) -> NoReturn:
        """Add a problem that stops parsing (nothing sensible follows) and raise them all."""
        self.add(line, field, reason)
        raise InvalidFile(self.path, self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidFile(self.path, self.items)
