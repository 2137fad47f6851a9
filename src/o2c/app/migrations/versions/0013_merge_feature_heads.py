"""merge feature heads

Revision ID: 0013
Revises: 0002, 0003, 0004, 0006, 0007, 0008, 0009, 0010, 0012
Create Date: 2026-11-23 14:28:38.710269
"""

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | tuple[str, ...] | None = (
    "0002",
    "0003",
    "0004",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0012",
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
