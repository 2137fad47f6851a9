"""Reads X12 back with pyx12, an independent implementation, to check what o2c writes.

pyx12's X12Reader tracks the envelope itself: it reports SE01 segment counts, ST/SE, GS/GE
and ISA/IEA control numbers that disagree, and GE01/IEA01 counts. `Readback` keeps every
segment as pyx12 split it, so tests compare totals and ids from pyx12's view, not ours.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pyx12.x12file


@dataclass
class Readback:
    segments: list[list[str]]
    errors: list[tuple[object, ...]]
    delimiters: tuple[str | None, ...]

    def all(self, tag: str) -> list[list[str]]:
        return [s for s in self.segments if s[0] == tag]

    def one(self, tag: str) -> list[str]:
        [found] = self.all(tag)
        return found


def read_back(data: bytes) -> Readback:
    reader = pyx12.x12file.X12Reader(io.StringIO(data.decode("ascii")))
    segments: list[list[str]] = []
    errors: list[tuple[object, ...]] = []
    for segment in reader:
        segments.append(
            [segment.get_seg_id()]
            + [
                segment.get_value(f"{segment.get_seg_id()}{i:02d}") or ""
                for i in range(1, len(segment) + 1)
            ]
        )
        errors.extend(reader.pop_errors())
    errors.extend(reader.pop_errors())
    return Readback(segments, errors, reader.get_term())
